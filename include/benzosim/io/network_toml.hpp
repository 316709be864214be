// SPDX-License-Identifier: MIT
/// Network files: a whole circuit::network_spec in TOML (populations, neuron parameters, projections, drives,
/// chloride, initial rule, time step), read with every problem reported as a scenario_error naming the file,
/// line, key path and rule, and written back so that parse(write(spec)) == spec. The presets are kept in
/// data/networks/ in this format. Reference (every key, unit and default): docs/file-formats.md#network-files-toml.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <benzosim/circuit/network.hpp>

namespace benzosim::io {

/// The schema version of network files this build reads and writes.
inline constexpr int network_schema_version = 1;

/// Parses a network file. source_name is used in messages (a path, or "<text>"). Keys not given take the
/// defaults of the circuit structs; a population without e_gaba_mv gets gaba_reversal_mv of [chloride] when
/// that table is given (recorded in spec.chloride), else -80 mV. The assembled spec is validated; its errors
/// are reported at the line of the offending key (or of the table that would hold it).
circuit::network_spec parse_network_toml(std::string_view text, const std::string& source_name);
/// Reads and parses a network file; a missing, unreadable or empty file is a scenario_error too.
circuit::network_spec load_network_toml(const std::filesystem::path& file);

/// The spec as a network file (validated first; throws invalid_parameter). header_comment, if not empty, is
/// written first as '#' comment lines (one per line of the text). Every field the spec uses is written; a
/// field the spec does not use is written only if it differs from its default (an AdEx table of a LIF
/// population, the probability of an in-degree projection), so that the file always parses back to an equal
/// spec. e_gaba_mv is left out where it equals the reversal of the spec's chloride (a comment gives the value).
std::string network_toml(const circuit::network_spec& spec, std::string_view header_comment = {});

}  // namespace benzosim::io
