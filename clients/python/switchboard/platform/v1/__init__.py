"""Generated from the protos; see generate.sh."""
