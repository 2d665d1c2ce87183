package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/graphql-go/graphql/gqlerrors"
)

// The takedown form asks for the channel (a platform report chosen) and
// shows the authority field beside it, without script; what the user
// chooses goes to the API as input.channel and input.authority; the API's
// refusal of an authority lands next to its field in words; the takedown
// list says the channel, the authority and what its deadline is.
func TestTakedownChannelForm(t *testing.T) {
	d, api := caseDesk(t)
	due := time.Date(2026, 12, 3, 2, 25, 0, 0, time.UTC) // 09:25 in Hanoi
	api.c.Takedowns = []takedownData{
		{ID: "TD-1", Platform: "FACEBOOK", TargetURL: "https://www.facebook.com/tintuc.tanuyen24h", Reason: "Mạo danh", Status: "SENT",
			RequestedBy: "handler1", RequestedAt: due.Add(-24 * time.Hour), DueAt: due,
			Channel: "AUTHORITY_REQUEST", Authority: "Công an tỉnh Lai Châu (PA05)", LegalDeadline: &due},
		{ID: "TD-2", Platform: "FACEBOOK", TargetURL: "https://www.facebook.com/tintuc.tanuyen24h/posts/2", Reason: "Mạo danh", Status: "SENT",
			RequestedBy: "handler1", RequestedAt: due.Add(-71 * time.Hour), DueAt: due.Add(time.Hour),
			Channel: "PLATFORM_REPORT", FollowUpAt: ptr(due.Add(time.Hour))},
	}
	api.history = append(api.history, eventData{Version: 10, GlobalPosition: "110", Type: "TakedownRequested", Actor: "handler1",
		OccurredAt: due.Add(-24 * time.Hour), Hash: fmt.Sprintf("%064x", 10), PrevHash: fmt.Sprintf("%064x", 9),
		Data: `{"takedownId":"TD-1","platform":"FACEBOOK","targetUrl":"https://www.facebook.com/tintuc.tanuyen24h","reason":"Mạo danh",` +
			`"dueAt":"2026-12-03T02:25:00Z","channel":"AUTHORITY_REQUEST","authority":"Công an tỉnh Lai Châu (PA05)"}`})
	c := d.client()
	c.login("handler1", goodPassword)
	r := c.get("/cases/c1")
	wantBody(t, r, http.StatusOK,
		`<label for="f-requestTakedown-channel">Kênh yêu cầu`,
		`<option value="PLATFORM_REPORT" selected>Báo cáo vi phạm qua nền tảng</option>`,
		`<option value="AUTHORITY_REQUEST">Yêu cầu của cơ quan có thẩm quyền</option>`,
		`<input id="f-requestTakedown-authority" name="authority" type="text" value="" maxlength="500"`,
		"Chỉ ghi khi chọn «Yêu cầu của cơ quan có thẩm quyền»",
		// The timeline says whose request it was.
		"Gửi yêu cầu gỡ bỏ TD-1 tới Facebook: https://www.facebook.com/tintuc.tanuyen24h (yêu cầu của Công an tỉnh Lai Châu (PA05))",
	)
	list := r.body[strings.Index(r.body, `id="takedowns-title"`):]
	list = visibleText(list[:strings.Index(list, "</section>")])
	for _, want := range []string{
		"Kênh yêu cầu", "Yêu cầu của cơ quan có thẩm quyền", "Cơ quan yêu cầu", "Công an tỉnh Lai Châu (PA05)",
		"Hạn gỡ bỏ theo quy định", "09:25 03/12/2026",
		"Báo cáo vi phạm qua nền tảng", "Hạn đôn đốc nền tảng", "10:25 03/12/2026",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("the takedown list lacks %q:\n%s", want, list)
		}
	}
	if strings.Count(list, "Cơ quan yêu cầu") != 1 || strings.Contains(list, "Hạn phản hồi") {
		t.Errorf("the platform report names an authority, or a deadline is unnamed:\n%s", list)
	}
	checkNoRawEnums(t, "case page with channels", r.body)

	// What the user chose goes to the API.
	base := url.Values{"expectedVersion": {"9"}, "platform": {"FACEBOOK"}, "targetUrl": {"https://www.facebook.com/tintuc.tanuyen24h"},
		"reason": {"Mạo danh"}, "legalBasis": {""}}
	for i, tc := range []struct {
		channel, authority string
		want               map[string]any
	}{
		{"AUTHORITY_REQUEST", "Công an tỉnh Lai Châu (PA05)", map[string]any{"channel": "AUTHORITY_REQUEST", "authority": "Công an tỉnh Lai Châu (PA05)"}},
		{"PLATFORM_REPORT", "", map[string]any{"channel": "PLATFORM_REPORT"}},
		{"", "", map[string]any{}}, // a form from before channels: the API's default
	} {
		form := url.Values{}
		for k, v := range base {
			form[k] = v
		}
		form.Set("key", fmt.Sprintf("td-%d", i))
		form.Set("channel", tc.channel)
		form.Set("authority", tc.authority)
		wantRedirect(t, c.post("/cases/c1/requestTakedown", form), http.StatusSeeOther, "/cases/c1")
		calls := api.calls()
		in, _ := calls[len(calls)-1].vars["input"].(map[string]any)
		for _, k := range []string{"channel", "authority"} {
			if fmt.Sprint(in[k]) != fmt.Sprint(tc.want[k]) || (tc.want[k] == nil && in[k] != nil) {
				t.Errorf("channel %q authority %q: input.%s = %v, want %v (input %v)", tc.channel, tc.authority, k, in[k], tc.want[k], in)
			}
		}
	}
	before := len(api.calls())
	form := url.Values{}
	for k, v := range base {
		form[k] = v
	}
	form.Set("key", "td-bad")
	form.Set("channel", "EMAIL")
	wantBody(t, c.post("/cases/c1/requestTakedown", form), http.StatusBadRequest, "Kênh yêu cầu: chọn một giá trị trong danh sách.")
	if len(api.calls()) != before {
		t.Errorf("an unknown channel reached the API")
	}

	// The domain's refusals, in words next to the authority field, with
	// what the user typed kept.
	for _, tc := range []struct{ channel, authority, message, want string }{
		{"PLATFORM_REPORT", "Sở Văn hóa, Thể thao và Du lịch",
			"authority: names the authority of an AUTHORITY_REQUEST; a PLATFORM_REPORT is the office's own report and has none",
			"Cơ quan có thẩm quyền yêu cầu: chỉ ghi khi chọn «Yêu cầu của cơ quan có thẩm quyền»; để trống với báo cáo vi phạm qua nền tảng."},
		{"AUTHORITY_REQUEST", "", "authority: is required",
			"Cơ quan có thẩm quyền yêu cầu: bắt buộc khi chọn «Yêu cầu của cơ quan có thẩm quyền»."},
	} {
		api.fail = &gqlerrors.FormattedError{Message: tc.message, Extensions: map[string]any{"code": "BAD_USER_INPUT", "field": "input.authority"}}
		form.Set("key", "td-refused-"+tc.channel)
		form.Set("channel", tc.channel)
		form.Set("authority", tc.authority)
		r := c.post("/cases/c1/requestTakedown", form)
		wantBody(t, r, http.StatusBadRequest, `<p class="error" id="f-requestTakedown-authority-error">`+tc.want+`</p>`,
			`<option value="`+tc.channel+`" selected>`, `value="`+tc.authority+`"`)
	}
}
