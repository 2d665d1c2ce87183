package web

import (
	"context"
	"errors"
	"testing"
)

func TestUsersStore(t *testing.T) {
	ctx := context.Background()
	users := NewUsers(testPool(t))
	hash, err := HashPassword("mat-khau-dai-du")
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Create(ctx, User{Username: "handler1", DisplayName: " Nguyễn Văn Hùng ", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if err := users.Create(ctx, User{Username: "handler1", DisplayName: "Other", PasswordHash: hash}); !errors.Is(err, ErrUserExists) {
		t.Errorf("duplicate: %v, want ErrUserExists", err)
	}
	for _, bad := range []User{
		{Username: "Handler1", DisplayName: "x"},
		{Username: "", DisplayName: "x"},
		{Username: "a b", DisplayName: "x"},
		{Username: "ok", DisplayName: "  "},
		{Username: "ok", DisplayName: "x", PasswordHash: "plain"},
	} {
		if err := users.Create(ctx, bad); err == nil {
			t.Errorf("Create(%+v) accepted", bad)
		}
	}
	u, err := users.Get(ctx, "handler1")
	if err != nil {
		t.Fatal(err)
	}
	if u.DisplayName != "Nguyễn Văn Hùng" || u.Disabled || u.MustChangePassword || u.PasswordHash != hash || u.CreatedAt.IsZero() {
		t.Errorf("stored user %+v", u)
	}
	if _, err := users.Get(ctx, "nobody"); !errors.Is(err, ErrNoUser) {
		t.Errorf("Get(nobody): %v, want ErrNoUser", err)
	}

	other, _ := HashPassword("mot-mat-khau-khac")
	if err := users.SetPassword(ctx, "handler1", other, true); err != nil {
		t.Fatal(err)
	}
	if err := users.SetDisabled(ctx, "handler1", true); err != nil {
		t.Fatal(err)
	}
	if err := users.SetDisplayName(ctx, "handler1", "Nguyễn Văn Hùng (Tân Uyên)"); err != nil {
		t.Fatal(err)
	}
	u, _ = users.Get(ctx, "handler1")
	if u.PasswordHash != other || !u.MustChangePassword || !u.Disabled || u.DisplayName != "Nguyễn Văn Hùng (Tân Uyên)" || !u.UpdatedAt.After(u.CreatedAt) {
		t.Errorf("after the updates: %+v", u)
	}
	for name, err := range map[string]error{
		"SetPassword":    users.SetPassword(ctx, "nobody", other, false),
		"SetDisabled":    users.SetDisabled(ctx, "nobody", true),
		"SetDisplayName": users.SetDisplayName(ctx, "nobody", "X"),
	} {
		if !errors.Is(err, ErrNoUser) {
			t.Errorf("%s(nobody): %v, want ErrNoUser", name, err)
		}
	}
	if err := users.SetPassword(ctx, "handler1", "", false); err == nil {
		t.Errorf("SetPassword with an empty hash accepted")
	}

	if err := users.Create(ctx, User{Username: "leader1", DisplayName: "Trần Thị Lan"}); err != nil {
		t.Fatal(err) // no password: allowed (a seed user in production)
	}
	list, err := users.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Username != "handler1" || list[1].Username != "leader1" || list[1].PasswordHash != "" {
		t.Errorf("List: %+v", list)
	}
}

// The server's role may read and add users and keep sessions, but never
// delete a user.
func TestSchemaGrants(t *testing.T) {
	ctx := context.Background()
	pool := testPool(t)
	if _, err := pool.Exec(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN CREATE ROLE casetrail_app NOLOGIN; END IF;
	END $$`); err != nil {
		t.Fatal(err)
	}
	// Re-run the grant block as a fresh migration would (the role may have
	// been created after the first run).
	if _, err := pool.Exec(ctx, `DROP TABLE users, sessions, login_throttle`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE web_schema_version SET version = 0`); err != nil {
		t.Fatal(err)
	}
	if err := EnsureSchema(ctx, pool); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		table, priv string
		want        bool
	}{
		{"users", "SELECT", true}, {"users", "INSERT", true}, {"users", "UPDATE", true}, {"users", "DELETE", false},
		{"sessions", "DELETE", true}, {"sessions", "UPDATE", true},
		{"login_throttle", "DELETE", true}, {"login_throttle", "INSERT", true},
	} {
		var got bool
		if err := pool.QueryRow(ctx, `SELECT has_table_privilege('casetrail_app', $1, $2)`, c.table, c.priv).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("casetrail_app %s on %s: %t, want %t", c.priv, c.table, got, c.want)
		}
	}
}
