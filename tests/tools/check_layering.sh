#!/usr/bin/env bash
# Fails if a layer includes a header of a layer above it (core <- pk <- pd <- circuit <- clinical <- io).
# The CMake targets already make a forbidden *call* a link error; this catches a forbidden #include too,
# even one that only uses inline code or types.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
layers=(core pk pd circuit clinical io)
status=0
for i in "${!layers[@]}"; do
  layer=${layers[$i]}
  above=("${layers[@]:$((i + 1))}")
  [ ${#above[@]} -eq 0 ] && continue
  pattern="#include[[:space:]]*<benzosim/($(IFS='|'; echo "${above[*]}"))/"
  while IFS= read -r hit; do
    echo "layering violation: $hit (layer '$layer' may not include a header of: ${above[*]})"
    status=1
  done < <(grep -rnE "$pattern" "$root/src/$layer" "$root/include/benzosim/$layer" 2>/dev/null)
  # No science layer reads files, argv or the environment.
  if [ "$layer" != io ]; then
    while IFS= read -r hit; do
      echo "science layer does I/O: $hit (only io and cli read files, argv or the environment)"
      status=1
    done < <(grep -rnE "#include[[:space:]]*<fstream>|getenv[[:space:]]*\(|fopen[[:space:]]*\(|std::(i|o)?fstream" "$root/src/$layer" "$root/include/benzosim/$layer" 2>/dev/null)
  fi
done
[ $status -eq 0 ] && echo "layering: ok (${layers[*]})"
exit $status
