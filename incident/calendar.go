package incident

import (
	"fmt"
	"slices"
	"time"
)

// Working days (issue 17, §4). A deadline may be counted in working days of
// the office's calendar instead of clock time: "1wd" set on Friday 16:00 is
// due on Monday 16:00, and a deadline spanning Tết skips the days off. The
// calendar is data in the policy file (the official days off move every
// year); a case keeps the policy, calendar included, it was opened with, and
// each deadline keeps the due time its DeadlineSet gave it.

// Working days are counted in VietnamTime (period.go): Asia/Ho_Chi_Minh,
// which has had no daylight saving since 1975, as a fixed +07:00 (no tzdata
// needed inside a workflow).

// DateLayout is how a calendar day is written: 2027-02-05.
const DateLayout = "2006-01-02"

// Calendar says which days are working days. The zero Calendar is Monday to
// Friday, every week.
type Calendar struct {
	// Weekend lists the days of the week off; empty means Saturday and
	// Sunday.
	Weekend []time.Weekday `json:"weekend,omitempty"`
	// Holidays are the official days off (DateLayout), e.g. Tết.
	Holidays []string `json:"holidays,omitempty"`
	// Workdays are weekend days worked instead (ngày làm bù).
	Workdays []string `json:"workdays,omitempty"`
}

// IsZero reports whether c is the default calendar.
func (c Calendar) IsZero() bool {
	return len(c.Weekend) == 0 && len(c.Holidays) == 0 && len(c.Workdays) == 0
}

// Validate checks the dates and days of c.
func (c Calendar) Validate() error {
	for _, d := range c.Weekend {
		if d < time.Sunday || d > time.Saturday {
			return fmt.Errorf("calendar: %d is not a day of the week", d)
		}
	}
	if len(c.Weekend) == 7 {
		return fmt.Errorf("calendar: every day of the week is off")
	}
	for _, list := range [][]string{c.Holidays, c.Workdays} {
		for _, s := range list {
			if _, err := time.ParseInLocation(DateLayout, s, VietnamTime); err != nil {
				return fmt.Errorf("calendar: %q is not a date (YYYY-MM-DD)", s)
			}
		}
	}
	for _, s := range c.Holidays {
		if slices.Contains(c.Workdays, s) {
			return fmt.Errorf("calendar: %s is both a day off and a working day", s)
		}
	}
	return nil
}

// Working reports whether the calendar day of t (in VietnamTime) is a
// working day.
func (c Calendar) Working(t time.Time) bool {
	day := t.In(VietnamTime).Format(DateLayout)
	if slices.Contains(c.Workdays, day) {
		return true
	}
	if slices.Contains(c.Holidays, day) {
		return false
	}
	weekend := c.Weekend
	if len(weekend) == 0 {
		weekend = []time.Weekday{time.Saturday, time.Sunday}
	}
	return !slices.Contains(weekend, t.In(VietnamTime).Weekday())
}

// maxCalendarDays bounds the walk over days, so that a calendar with no
// working day in sight (a data error) ends instead of looping.
const maxCalendarDays = 3 * 366

// AddWorkingDays returns the same clock time n working days after start:
// each following calendar day that is a working day counts one. Friday
// 16:00 + 1 is Monday 16:00; a start on a day off counts from the next
// working day (Saturday 10:00 + 1 is Monday 10:00).
func (c Calendar) AddWorkingDays(start time.Time, n int) time.Time {
	t := start.In(VietnamTime)
	for i := 0; n > 0 && i < maxCalendarDays; i++ {
		t = t.AddDate(0, 0, 1)
		if c.Working(t) {
			n--
		}
	}
	return t.UTC()
}

// WorkingPoint returns the instant at which the fraction f of the working
// time between start and due has passed: days off do not count, so a
// reminder at half of "1wd" from Friday 16:00 falls on Monday, not on
// Saturday. When the span holds no working time it falls back to the
// fraction of clock time.
func (c Calendar) WorkingPoint(start, due time.Time, f float64) time.Time {
	total := c.workingBetween(start, due)
	if total <= 0 {
		return start.Add(time.Duration(float64(due.Sub(start)) * f))
	}
	left := time.Duration(float64(total) * f)
	for t := start; t.Before(due); {
		end := c.nextMidnight(t)
		if end.After(due) {
			end = due
		}
		if c.Working(t) {
			if seg := end.Sub(t); seg >= left {
				return t.Add(left)
			} else {
				left -= seg
			}
		}
		t = end
	}
	return due
}

// workingBetween is the time between start and due that falls on working days.
func (c Calendar) workingBetween(start, due time.Time) time.Duration {
	var total time.Duration
	for t := start; t.Before(due); {
		end := c.nextMidnight(t)
		if end.After(due) {
			end = due
		}
		if c.Working(t) {
			total += end.Sub(t)
		}
		t = end
	}
	return total
}

// nextMidnight is the start of the calendar day after t's.
func (Calendar) nextMidnight(t time.Time) time.Time {
	l := t.In(VietnamTime)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, VietnamTime)
}
