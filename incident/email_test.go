package incident

import "testing"

func TestCleanEmail(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"  ":                       "",
		" hung.nv@tanuyen.gov.vn ": "hung.nv@tanuyen.gov.vn",
		"lan+vv@so-vhttdl.example": "lan+vv@so-vhttdl.example",
		"van.thu@localhost":        "van.thu@localhost",
		"Hùng.NV@TanUyen.gov.vn":   "Hùng.NV@TanUyen.gov.vn",
	} {
		got, err := CleanEmail(in)
		if err != nil || got != want {
			t.Errorf("CleanEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"hung", "hung@", "@tanuyen.gov.vn", "a@b@c", "Hùng <hung@tanuyen.gov.vn>", "<hung@tanuyen.gov.vn>",
		"a b@c.vn", "hung@tanuyen..gov.vn", "hung@.gov.vn", "hung@gov.vn.", "a@b.vn,c@d.vn", "a;b@c.vn", "\"a\"@b.vn",
		"x@" + string(make([]byte, 260))} {
		if got, err := CleanEmail(in); err == nil || ErrorCode(err) != CodeBadUserInput {
			t.Errorf("CleanEmail(%q) = %q, %v; want BAD_USER_INPUT", in, got, err)
		}
	}
}
