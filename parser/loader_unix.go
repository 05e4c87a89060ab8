//go:build unix

package parser

import "syscall"

// nonblockFlag makes opening a file that turned into a FIFO after it was
// checked return at once instead of waiting for a writer.
const nonblockFlag = syscall.O_NONBLOCK
