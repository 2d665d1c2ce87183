// Command casetrail runs the CaseTrail case-management engine.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "casetrail: not yet")
	os.Exit(2)
}
