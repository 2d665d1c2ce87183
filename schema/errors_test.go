package schema

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
)

// sqlStateError stands for the driver's error type, which reports its
// SQLSTATE code.
type sqlStateError string

func (e sqlStateError) Error() string    { return "pg error " + string(e) }
func (e sqlStateError) SQLState() string { return string(e) }

// TestUnavailable: errors that mean the database could not be reached are
// told apart from the rest, wrapped as the store wraps them.
func TestUnavailable(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("readmodel: list: %w", dial), true},
		{fmt.Errorf("failed to connect: %w", io.ErrUnexpectedEOF), true},
		{fmt.Errorf("query: %w", syscall.ECONNRESET), true},
		{fmt.Errorf("query: %w", sqlStateError("57P01")), true}, // admin shutdown
		{fmt.Errorf("query: %w", sqlStateError("08006")), true}, // connection failure
		{fmt.Errorf("query: %w", sqlStateError("23505")), false},
		{errors.New("something else"), false},
	} {
		if got := unavailable(tc.err); got != tc.want {
			t.Errorf("unavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
