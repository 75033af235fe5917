#!/bin/sh
# Regenerates the protobuf and gRPC stubs this package ships, from the platform's protos
# (contracts/src/main/proto/switchboard/{registry,auth,platform}/v1) and the standard health protocol kept in proto/.
#
# Needs python3-grpc-tools (the gRPC service stubs). Messages are compiled with Debian's protoc
# (protobuf-compiler, the same 3.21 release as python3-protobuf) when it is installed: the protoc bundled in
# python3-grpc-tools is 3.5, whose descriptor code the upb runtime of protobuf >= 4 (pip's) refuses to load.
# Without protobuf-compiler the bundled one is used, which Debian's python3-protobuf still loads.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
platform_protos=$(cd "$here/../../contracts/src/main/proto" && pwd)
local_protos="$here/proto"
python=${PYTHON:-/usr/bin/python3}
well_known=$("$python" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')

protos="switchboard/registry/v1/registry.proto switchboard/auth/v1/auth.proto switchboard/platform/v1/defaults.proto
  switchboard/health/v1/health.proto"
includes="-I$platform_protos -I$local_protos -I$well_known"

if command -v protoc >/dev/null 2>&1; then
  protoc $includes --python_out="$here" $protos
  "$python" -m grpc_tools.protoc $includes --grpc_python_out="$here" $protos
else
  echo "protoc not found (apt-get install protobuf-compiler); using grpc_tools' bundled protoc 3.5" >&2
  "$python" -m grpc_tools.protoc $includes --python_out="$here" --grpc_python_out="$here" $protos
fi

# every generated folder is a regular package, so setuptools ships it and imports never depend on namespace packages
for dir in switchboard/registry switchboard/registry/v1 switchboard/auth switchboard/auth/v1 switchboard/platform \
    switchboard/platform/v1 switchboard/health/v1; do
  [ -f "$here/$dir/__init__.py" ] || printf '"""Generated from the protos; see generate.sh."""\n' > "$here/$dir/__init__.py"
done
# the network sample's own service and the compute service it calls, next to it (not part of the package); flat
# modules, so that they never shadow this package's "switchboard" namespace
samples=$(cd "$here/../../sample-components" && pwd)
sample="$samples/network/src/main/python"
for proto in "$samples/network/src/main/proto/switchboard/sample/network/v1/network.proto" \
    "$samples/compute/src/main/proto/switchboard/sample/compute/v1/compute.proto"; do
  dir=$(dirname "$proto")
  if command -v protoc >/dev/null 2>&1; then
    protoc -I"$dir" -I"$well_known" --python_out="$sample" "$proto"
    "$python" -m grpc_tools.protoc -I"$dir" -I"$well_known" --grpc_python_out="$sample" "$proto"
  else
    "$python" -m grpc_tools.protoc -I"$dir" -I"$well_known" --python_out="$sample" --grpc_python_out="$sample" "$proto"
  fi
done
echo "stubs written under $here/switchboard and $sample"
