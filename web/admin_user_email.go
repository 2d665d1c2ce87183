package web

import "casetrail/incident"

// Users' e-mail addresses on the admin pages (issue 18): the create form's
// optional address, the user page's address and its form (POST
// /admin/users/email, setUserEmail), the admin log's UserEmailChanged.

// Email returns fv as an e-mail address input.
func (fv fieldView) Email() fieldView {
	fv.Kind, fv.Plain = "email", true
	return fv
}

// Or returns fv showing value when the form was not sent (its value is
// empty and it has no error): a form that edits a stored value.
func (fv fieldView) Or(value string) fieldView {
	if fv.Value == "" && fv.Error == "" {
		fv.Value = value
	}
	return fv
}

// checkEmail checks the optional field "email": an address as
// incident.CleanEmail takes it, or empty.
func (f *adminForm) checkEmail() {
	v := f.V("email")
	if v == "" {
		return
	}
	clean, err := incident.CleanEmail(v)
	if err != nil {
		f.errs["email"] = f.p.T("admin.err.email", f.p.T("admin.user.email"))
		return
	}
	f.values.Set("email", clean)
}
