# A hand-made event stream for the tests of dt-collect's reports
# (t0640-junit.sh, t0645-json.sh): every kind of result, on two nodes.
# Sourced after test-lib.sh, whose ev() writes one event.
#
#   spec/a_spec.rb      passes: 2 examples and a pending one, one of them
#                       located in a shared file
#   spec/b_spec.rb      a failure (fail line before its unit) and an error
#                       (unit before its fail line); XML's special
#                       characters, escape, a byte that is not UTF-8
#   spec/slow_spec.rb   split in 2 parts, on two nodes; part 2 fails
#   spec/lost_spec.rb   requeued, then lost
#   spec/hang_spec.rb   one example passes, then it times out
#   spec/requeued_spec.rb  requeued, then passes on its rerun
#   spec/load_spec.rb   an error outside examples, no unit
#   spec/old_spec.rb    fails with no unit line: an adapter of before
#   spec/retry_spec.rb  retry: one example passes, one fails and then
#                       passes on another node (flaky), one fails twice
#   spec/boot_spec.rb   retry: does not load, then passes whole (flaky)
report_esc=$(printf '\033')
report_bad=$(printf '\377')
report_eacute=$(printf '\303\251')

report_events() {
	ev hello distributest-events 2 test
	ev set framework rspec
	ev set retry 1
	ev node n1 2 local ssh wd
	ev node n2 1 local ssh wd
	for t in a b slow lost hang requeued load old retry boot; do
		ev test "spec/${t}_spec.rb" 10
	done
	ev tests-end 10 all
	ev runner-up n1 1 id1
	ev runner-up n1 2 id2
	ev runner-up n2 1 id3
	ev split spec/slow_spec.rb 2 0.100
	ev assign n1 1 spec/a_spec.rb
	ev assign n1 2 spec/b_spec.rb
	ev assign n2 1 spec/slow_spec.rb 1/2
	ev unit n1 1 spec/a_spec.rb 1:1 0.010 passed "A adds" "./spec/a_spec.rb:3"
	ev pending n1 1 spec/a_spec.rb "A later" "./spec/a_spec.rb:7" "Not yet implemented" 1:2
	ev unit n1 1 spec/a_spec.rb 1:2 0 skipped "A later" "./spec/a_spec.rb:7"
	ev unit n1 1 spec/a_spec.rb 1:3 0.020 passed "A uses a shared example" "./spec/support/shared.rb:4"
	ev done n1 1 spec/a_spec.rb passed 0.100 3 0 1 0
	ev out n1 2 spec/b_spec.rb "<tag a=\"x\"> & 'q' ${report_esc}[31mred${report_esc}[m ${report_bad} caf${report_eacute}"
	ev fail n1 2 spec/b_spec.rb failure "B <compares> \"x\" & y" "./spec/b_spec.rb:12" "expected: 1 & 2\\n     got: <3>${report_esc}" "rspec ./spec/b_spec.rb:12" 1:1
	ev unit n1 2 spec/b_spec.rb 1:1 0.030 failed "B <compares> \"x\" & y" "./spec/b_spec.rb:12"
	ev unit n1 2 spec/b_spec.rb 1:2 0.040 error "B raises" "./spec/b_spec.rb:20"
	ev fail n1 2 spec/b_spec.rb error "B raises" "./spec/b_spec.rb:20" "RuntimeError: boom\\n# ./spec/b_spec.rb:21" "rspec ./spec/b_spec.rb:20" 1:2
	ev done n1 2 spec/b_spec.rb failed 0.200 2 1 0 1
	ev unit n2 1 spec/slow_spec.rb 1:1 1.000 passed "Slow one" "./spec/slow_spec.rb:2"
	ev done n2 1 spec/slow_spec.rb passed 1.100 1 0 0 0 1/2
	ev assign n1 1 spec/slow_spec.rb 2/2
	ev assign n1 2 spec/lost_spec.rb
	ev unit n1 1 spec/slow_spec.rb 1:2 1.500 failed "Slow two" "./spec/slow_spec.rb:9"
	ev fail n1 1 spec/slow_spec.rb failure "Slow two" "./spec/slow_spec.rb:9" "too slow" "" 1:2
	ev out n1 1 spec/slow_spec.rb "slow part two says hi"
	ev done n1 1 spec/slow_spec.rb failed 1.600 1 1 0 0 2/2
	# Up to here, line 42: what an interrupted run has.
	ev requeue n1 2 spec/lost_spec.rb "runner killed"
	ev assign n2 1 spec/hang_spec.rb
	ev out n2 1 spec/hang_spec.rb "hang starts"
	ev unit n2 1 spec/hang_spec.rb 1:1 0.500 passed "Hang first" "./spec/hang_spec.rb:1"
	ev timeout n2 1 spec/hang_spec.rb 5
	ev lost spec/hang_spec.rb "timed out after 5 s"
	ev lost spec/lost_spec.rb "runner killed; given up after 3 tries"
	ev assign n1 1 spec/requeued_spec.rb
	ev requeue n1 1 spec/requeued_spec.rb "node n1 cut off"
	ev runner-down n1 1 "adapter killed by signal 9" replacing
	ev runner-up n1 1 id1
	ev assign n1 1 spec/requeued_spec.rb
	ev unit n1 1 spec/requeued_spec.rb 1:1 0.300 passed "Requeued works" "./spec/requeued_spec.rb:5"
	ev done n1 1 spec/requeued_spec.rb passed 0.400 1 0 0 0
	ev assign n1 2 spec/load_spec.rb
	ev fail n1 2 spec/load_spec.rb error "" "./spec/load_spec.rb" "An error occurred while loading ./spec/load_spec.rb\\nNameError: uninitialized constant Foo"
	ev done n1 2 spec/load_spec.rb error 0.050 0 0 0 1
	ev assign n2 1 spec/old_spec.rb
	ev fail n2 1 spec/old_spec.rb failure "Old fails" "./spec/old_spec.rb:4" "expected true"
	ev done n2 1 spec/old_spec.rb failed 0.060 1 1 0 0
	ev assign n1 2 spec/retry_spec.rb
	ev unit n1 2 spec/retry_spec.rb 1:1 0.010 passed "Retry steady" "./spec/retry_spec.rb:2"
	ev fail n1 2 spec/retry_spec.rb failure "Retry flaky" "./spec/retry_spec.rb:5" "expected 2, got 1" "rspec ./spec/retry_spec.rb:5" 1:2
	ev unit n1 2 spec/retry_spec.rb 1:2 0.020 failed "Retry flaky" "./spec/retry_spec.rb:5"
	ev unit n1 2 spec/retry_spec.rb 1:3 0.030 failed "Retry broken" "./spec/retry_spec.rb:9"
	ev fail n1 2 spec/retry_spec.rb failure "Retry broken" "./spec/retry_spec.rb:9" "expected nil" "rspec ./spec/retry_spec.rb:9" 1:3
	ev out n1 2 spec/retry_spec.rb "retry try one"
	ev retry n1 2 spec/retry_spec.rb 2 "" 1:2 1:3
	ev done n1 2 spec/retry_spec.rb failed 0.100 3 2 0 0
	ev assign n1 1 spec/boot_spec.rb
	ev fail n1 1 spec/boot_spec.rb error "" "./spec/boot_spec.rb" "An error occurred while loading ./spec/boot_spec.rb\nLoadError: no database"
	ev retry n1 1 spec/boot_spec.rb 2
	ev done n1 1 spec/boot_spec.rb error 0.040 0 0 0 1
	ev assign n2 1 spec/retry_spec.rb "" 2
	ev unit n2 1 spec/retry_spec.rb 1:2 0.015 passed "Retry flaky" "./spec/retry_spec.rb:5"
	ev fail n2 1 spec/retry_spec.rb failure "Retry broken" "./spec/retry_spec.rb:9" "expected nil, twice" "rspec ./spec/retry_spec.rb:9" 1:3
	ev unit n2 1 spec/retry_spec.rb 1:3 0.025 failed "Retry broken" "./spec/retry_spec.rb:9"
	ev out n2 1 spec/retry_spec.rb "retry try two"
	ev done n2 1 spec/retry_spec.rb failed 0.050 2 1 0 0
	ev assign n2 1 spec/boot_spec.rb "" 2
	ev unit n2 1 spec/boot_spec.rb 1:1 0.010 passed "Boot works" "./spec/boot_spec.rb:3"
	ev done n2 1 spec/boot_spec.rb passed 0.060 1 0 0 0
	ev node-down n2 channel "connection closed"
	ev end complete
}
