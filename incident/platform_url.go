package incident

import (
	"net/url"
	"strings"
)

// platformDomains are the domains of the platforms (a host is on a
// platform when it is the domain or a subdomain of it); any other http(s)
// site is a WEBSITE.
var platformDomains = []struct {
	domain   string
	platform Platform
}{
	{"facebook.com", Facebook}, {"fb.com", Facebook}, {"fb.watch", Facebook}, {"fb.me", Facebook},
	{"messenger.com", Facebook},
	{"tiktok.com", TikTok},
	{"youtube.com", YouTube}, {"youtu.be", YouTube},
	{"zalo.me", Zalo}, {"zalo.vn", Zalo}, {"zaloapp.com", Zalo},
	{"instagram.com", Instagram}, {"instagr.am", Instagram},
	{"x.com", X}, {"twitter.com", X}, {"t.co", X},
	{"t.me", Telegram}, {"telegram.me", Telegram}, {"telegram.org", Telegram},
}

// PlatformOf tells the platform of an absolute http(s) URL from its host
// (NormalizeURL's: lower case, without www., m., ...): WEBSITE for a site
// of no platform, OTHER for anything that is not such a URL. The report
// forms use it when the reporter does not say (the case desk's, where a
// person may correct it, and the citizens', where no one is asked).
func PlatformOf(raw string) Platform {
	n, err := NormalizeURL(raw)
	if err != nil {
		return Other
	}
	u, err := url.Parse(n)
	if err != nil {
		return Other
	}
	host := u.Hostname()
	for _, d := range platformDomains {
		if host == d.domain || strings.HasSuffix(host, "."+d.domain) {
			return d.platform
		}
	}
	return Website
}
