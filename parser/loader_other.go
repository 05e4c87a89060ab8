//go:build !unix

package parser

// nonblockFlag: systems without FIFOs in the file system need no flag.
const nonblockFlag = 0
