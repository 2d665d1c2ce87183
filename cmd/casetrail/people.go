package main

import (
	"context"

	"casetrail/activities"
	"casetrail/web"
)

// people is the directory notifications look people up in
// (activities.Directory): the users of the web interface, their display
// names and e-mail addresses (web.Users.People); a subject that is no user
// comes back with the subject only.
func (a *app) people(ctx context.Context, subjects []string) ([]activities.Recipient, error) {
	users, err := web.NewUsers(a.store.Pool()).People(ctx, subjects)
	if err != nil {
		return nil, err
	}
	out := make([]activities.Recipient, len(users))
	for i, u := range users {
		out[i] = activities.Recipient{Subject: u.Username, Name: u.Name, Email: u.Email}
	}
	return out, nil
}
