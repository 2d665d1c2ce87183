package web

import (
	"context"
	"testing"

	"casetrail/incident"
)

// TestUserAdmin: the administration's view of the users table: created
// with a one-time password that opens the account and must be changed,
// reset likewise (the old password no longer opens it), disabled and
// enabled; refusals are the domain's errors naming the field.
func TestUserAdmin(t *testing.T) {
	ctx := context.Background()
	a := NewUserAdmin(testPool(t))
	otp, err := a.CreateUser(ctx, "handler3", "  Lò Văn Sáu ")
	if err != nil {
		t.Fatal(err)
	}
	u, ok, err := a.User(ctx, "handler3")
	if err != nil || !ok || u != (incident.User{Username: "handler3", Name: "Lò Văn Sáu", MustChangePassword: true}) {
		t.Fatalf("created: %+v %v %v", u, ok, err)
	}
	stored, _ := a.users.Get(ctx, "handler3")
	if !verifyPassword(otp, stored.PasswordHash) {
		t.Fatal("the one-time password does not open the account")
	}
	for _, tc := range []struct{ username, name, field string }{
		{"handler3", "X", "username"},
		{"Bad Name", "X", "username"},
		{"handler4", " ", "name"},
	} {
		_, err := a.CreateUser(ctx, tc.username, tc.name)
		if e, ok := err.(*incident.Error); !ok || e.Code != incident.CodeBadUserInput || e.Field != tc.field {
			t.Errorf("create %q %q: %v; want BAD_USER_INPUT on %s", tc.username, tc.name, err, tc.field)
		}
	}
	otp2, err := a.ResetPassword(ctx, "handler3")
	if err != nil || otp2 == otp {
		t.Fatalf("reset: %q %v", otp2, err)
	}
	stored, _ = a.users.Get(ctx, "handler3")
	if verifyPassword(otp, stored.PasswordHash) || !verifyPassword(otp2, stored.PasswordHash) || !stored.MustChangePassword {
		t.Fatalf("after the reset: %+v", stored)
	}
	if err := a.SetDisabled(ctx, "handler3", true); err != nil {
		t.Fatal(err)
	}
	if u, _, _ := a.User(ctx, "handler3"); !u.Disabled {
		t.Fatalf("not disabled: %+v", u)
	}
	if _, err := a.ResetPassword(ctx, "nobody"); incident.ErrorCode(err) != incident.CodeNotFound {
		t.Errorf("reset of nobody: %v", err)
	}
	if err := a.SetDisabled(ctx, "nobody", true); incident.ErrorCode(err) != incident.CodeNotFound {
		t.Errorf("disable nobody: %v", err)
	}
	if _, ok, err := a.User(ctx, "nobody"); ok || err != nil {
		t.Errorf("nobody: %v %v", ok, err)
	}
	list, err := a.Users(ctx)
	if err != nil || len(list) != 1 || list[0].Username != "handler3" {
		t.Errorf("users: %+v %v", list, err)
	}
}
