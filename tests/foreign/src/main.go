// The workload of the pprof fixtures (tests/foreign/make_fixtures.sh): a CPU
// profile written by Go's runtime/pprof to the file named by the argument.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	s := 0
	for i := 0; i < 20; i++ {
		s += fib(32)
	}
	pprof.StopCPUProfile()
	f.Close()
	fmt.Println(s)
}
