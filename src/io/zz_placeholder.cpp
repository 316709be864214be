// SPDX-License-Identifier: MIT
// Placeholder so the layer target has a source while its implementation is being written; remove when the layer has its own .cpp files.
