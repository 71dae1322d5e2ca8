#!/bin/sh
# System setup of the image: a file outside the code folder the app reads.
set -e
echo "made by setup.sh" > /usr/local/share/e2e-setup.txt
