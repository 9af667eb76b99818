// Command table turns `go test -bench` output into a Markdown table of the
// metrics that matter here: requests per second, time and allocations per
// operation.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	fmt.Println("| benchmark | per second | per server CPU-second | ns/op | B/op | allocs/op |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "Benchmark") {
			if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "---") || strings.HasPrefix(line, "panic") {
				fmt.Fprintln(os.Stderr, line)
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		m := map[string]string{}
		for i := 2; i+1 < len(f); i += 2 {
			m[f[i+1]] = f[i]
		}
		rate := m["req/s"]
		if rate != "" {
			rate += " req"
		} else if m["events/s"] != "" {
			rate = m["events/s"] + " events"
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s |\n", f[0], dash(rate), dash(m["req/cpu-s"]), dash(m["ns/op"]), dash(m["B/op"]), dash(m["allocs/op"]))
	}
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
