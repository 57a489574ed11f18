# Example project for distributest with known results (see ../EXPECTED):
# passing files, failures, an error, an omission and a pending test, a file
# that does not load, and a file that writes to stdout and stderr.
require "test/unit"
require "calculator"
