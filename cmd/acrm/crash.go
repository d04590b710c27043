package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// crashGuard turns a panic that reaches main into one line on stderr and a crash report
// file holding the stack, then exits with status 2. Deferred first thing in main.
func crashGuard() {
	r := recover()
	if r == nil {
		return
	}
	path, err := writeCrashReport(r, debug.Stack())
	if err != nil {
		fmt.Fprintf(os.Stderr, "acrm: internal error: %v (the crash report could not be written: %v)\n", r, err)
	} else {
		fmt.Fprintf(os.Stderr, "acrm: internal error: %v — crash report: %s\n", firstLine(fmt.Sprint(r)), path)
	}
	os.Exit(2)
}

// writeCrashReport writes the panic value, the command line and the stack to a new file in
// the temporary directory and returns its path.
func writeCrashReport(r any, stack []byte) (string, error) {
	f, err := os.CreateTemp("", "acrm-crash-"+time.Now().UTC().Format("20060102-150405")+"-*.txt")
	if err != nil {
		return "", err
	}
	defer f.Close()
	fmt.Fprintf(f, "crash report of acrm, %s\ncommand: %s\npanic: %v\n\n%s", time.Now().UTC().Format(time.RFC3339),
		strings.Join(os.Args, " "), r, stack)
	return filepath.Abs(f.Name())
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
