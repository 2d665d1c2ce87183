package main

import (
	"fmt"
	"strconv"
	"strings"
)

// evidenceQuota parses CASETRAIL_EVIDENCE_QUOTA: bytes of evidence one
// subject may add over all time, as a number of bytes with an optional
// KiB, MiB or GiB suffix, or "off" for no quota. Empty means the default
// (schema.DefaultEvidenceQuota, 200 MiB), returned as 0.
func evidenceQuota(s string) (int64, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "":
		return 0, nil
	case "off":
		return -1, nil
	}
	unit := int64(1)
	for suffix, u := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, suffix) {
			s, unit = strings.TrimSpace(strings.TrimSuffix(s, suffix)), u
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/unit {
		return 0, fmt.Errorf("CASETRAIL_EVIDENCE_QUOTA: %q is not a positive size (bytes, or a number with KiB, MiB or GiB), or off", s)
	}
	return n * unit, nil
}
