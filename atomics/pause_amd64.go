package atomics

// pause executes the PAUSE instruction cycles times. PAUSE marks a
// spin-wait loop for the CPU, which saves power and gives the other
// hyperthread of the core more time to run.
func pause(cycles uint32)
