# Example project for distributest with known results (see ../EXPECTED):
# passing files, failures, an error, skips, a file that does not load, a
# Minitest::Spec file and a file that writes to stdout and stderr.
require "minitest/autorun"
require "calculator"
