// Package logtest captures what a test's code under test writes, logs
// above all, when goroutines other than the test's write it: Buffer is an
// io.Writer safe for concurrent use whose String the test reads at any time.
package logtest
