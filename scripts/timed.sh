#!/usr/bin/env bash
# Usage: scripts/timed.sh "TITLE" COMMAND [ARG...]
# Prints "==> TITLE", runs COMMAND with its own output, then "    done in N s" (the Makefile's install phases).
set -euo pipefail
title=$1
shift
echo "==> ${title}"
start=${SECONDS}
"$@"
echo "    done in $((SECONDS - start)) s"
