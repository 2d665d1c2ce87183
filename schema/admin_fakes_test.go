package schema

// The administration in the fake world: enough for the mapping tests
// (authorization, arguments, codes). What the changes do is tested on
// PostgreSQL (admin_pg_test.go) and in readmodel.

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

func (w *world) OfficialAccount(ctx context.Context, id string) (incident.OfficialAccount, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, a := range w.accounts {
		if a.ID == id {
			return a, nil
		}
	}
	return incident.OfficialAccount{}, incident.Errorf(incident.CodeNotFound, "official account %s not found", id)
}

func (w *world) SearchOfficialAccounts(ctx context.Context, q readmodel.AccountQuery) ([]incident.OfficialAccount, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []incident.OfficialAccount
	for _, a := range w.accounts {
		if (q.Unit == "" || a.Unit == q.Unit) && (!a.Disabled || q.IncludeDisabled) &&
			strings.Contains(incident.FoldText(a.DisplayName+" "+a.URL), incident.FoldText(q.Search)) {
			out = append(out, a)
		}
	}
	return out, nil
}

// adminCall records a call of the administration.
func (w *world) adminCall(ch readmodel.Change, what string) {
	w.pos++
	w.admin = append(w.admin, fakeAdminEvent(int64(len(w.admin)+1), w.pos, what, ch, w.now))
}

func (w *world) CreateUnit(ctx context.Context, ch readmodel.Change, u incident.Unit) (incident.Unit, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := incident.NewUnitTree(w.units).CheckNewUnit(u); err != nil {
		return incident.Unit{}, err
	}
	w.units = append(w.units, u)
	w.adminCall(ch, "UnitDefined")
	return u, nil
}

func (w *world) UpdateUnit(ctx context.Context, ch readmodel.Change, id string, c readmodel.UnitChange) (incident.Unit, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.units {
		if w.units[i].ID == id {
			if c.Name != nil {
				w.units[i].Name = *c.Name
			}
			w.adminCall(ch, "UnitChanged")
			return w.units[i], nil
		}
	}
	return incident.Unit{}, incident.Errorf(incident.CodeNotFound, "unit %s not found", id)
}

func (w *world) CloseUnit(ctx context.Context, ch readmodel.Change, id, successor string) (incident.Unit, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := incident.NewUnitTree(w.units).CheckClose(id, successor); err != nil {
		return incident.Unit{}, err
	}
	for i := range w.units {
		if w.units[i].ID == id {
			w.units[i].ClosedAt, w.units[i].Successor = w.now, successor
			w.adminCall(ch, "UnitClosed")
			return w.units[i], nil
		}
	}
	return incident.Unit{}, incident.Errorf(incident.CodeNotFound, "unit %s not found", id)
}

func (w *world) ChangeOfficialAccount(ctx context.Context, ch readmodel.Change, id string, c readmodel.AccountChange) (incident.OfficialAccount, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, a := range w.accounts {
		if a.ID == id {
			if c.Disabled != nil {
				w.accounts[i].Disabled = *c.Disabled
			}
			if c.Verified != nil {
				w.accounts[i].Verified = *c.Verified
			}
			if c.DisplayName != nil {
				w.accounts[i].DisplayName = *c.DisplayName
			}
			w.adminCall(ch, "OfficialAccountChanged")
			return w.accounts[i], nil
		}
	}
	return incident.OfficialAccount{}, incident.Errorf(incident.CodeNotFound, "official account %s not found", id)
}

func (w *world) GrantRole(ctx context.Context, ch readmodel.Change, subject, role, unit string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.adminCall(ch, "RoleGranted")
	return nil
}

func (w *world) RevokeRole(ctx context.Context, ch readmodel.Change, subject, role, unit string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.adminCall(ch, "RoleRevoked")
	return nil
}

// fakeUsers are the users of the fake world.
var fakeUsers = []string{"admin1", "auditor1", "handler1", "leader1", "reporter1"}

func (w *world) User(ctx context.Context, username string) (incident.User, bool, error) {
	for _, u := range fakeUsers {
		if u == username {
			return incident.User{Username: u, Name: strings.ToUpper(u)}, true, nil
		}
	}
	return incident.User{}, false, nil
}

func (w *world) Users(ctx context.Context) ([]incident.User, error) {
	out := make([]incident.User, len(fakeUsers))
	for i, u := range fakeUsers {
		out[i] = incident.User{Username: u, Name: strings.ToUpper(u)}
	}
	return out, nil
}

func (w *world) CreateUser(ctx context.Context, ch readmodel.Change, username, name string) (string, error) {
	return "", incident.BadInput("username", "the fake world creates no user")
}

func (w *world) ResetPassword(ctx context.Context, ch readmodel.Change, username string) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.adminCall(ch, "PasswordReset")
	return "abcde-fghjk-mnpqr", nil
}

func (w *world) SetUserDisabled(ctx context.Context, ch readmodel.Change, username string, disabled bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.adminCall(ch, "UserDisabled")
	return nil
}

func (w *world) SetUserEmail(ctx context.Context, ch readmodel.Change, username, email string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.adminCall(ch, "UserEmailChanged")
	return nil
}

func fakeAdminEvent(version, pos int64, typ string, ch readmodel.Change, at time.Time) eventstore.RecordedEvent {
	return eventstore.RecordedEvent{Version: version, GlobalPosition: pos, Type: typ,
		Metadata: eventstore.Metadata{Actor: ch.Actor, Reason: ch.Reason}, OccurredAt: at, Data: json.RawMessage(`{}`)}
}
