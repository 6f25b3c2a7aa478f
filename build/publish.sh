#!/usr/bin/env bash
# Publishes switchboard as one self-contained executable for linux-x64: it runs on a machine without .NET.
#   build/publish.sh [output-directory]     (default: artifacts/linux-x64; prints the binary's path)
# Intermediate files go under artifacts/ (ignored by git), so the repository's own bin/ and obj/ are left alone.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$root/artifacts/linux-x64}" && cd "${1:-$root/artifacts/linux-x64}" && pwd)"

dotnet publish "$root/src/Switchboard/Switchboard.csproj" \
  --configuration Release \
  --runtime linux-x64 \
  --self-contained \
  --artifacts-path "$root/artifacts/publish-build" \
  --output "$out" \
  --disable-build-servers \
  -p:PublishSingleFile=true \
  -p:IncludeNativeLibrariesForSelfExtract=true \
  -p:DebugType=embedded \
  -p:PublishDocumentationFiles=false \
  -p:PublishReferencesDocumentationFiles=false \
  -nologo -v:quiet

echo "$out/switchboard"
