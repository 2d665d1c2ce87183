package activities

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"casetrail/incident"
)

// DefaultMinSimilarity is the score from which MatchOfficialAccount reports
// that the subjects resemble an official account (the domain's threshold).
const DefaultMinSimilarity = incident.MatchThreshold

// MatchOfficialAccount finds the registered official account the subjects of
// an impersonation case most resemble, diacritics-insensitive: each subject's
// URL and display name against each account's display name and URL (the same
// normalized URL scores 1). By default the domain decides
// (incident.BestMatch, Vietnamese-aware: "UBND" is "Ủy ban nhân dân");
// with Similarity set, names are scored with it. It answers no account when
// none reaches MinSimilarity, or when no registry is configured.
func (a *Activities) MatchOfficialAccount(ctx context.Context, in MatchInput) (MatchResult, error) {
	if a.OfficialAccounts == nil {
		return MatchResult{}, nil
	}
	accounts, err := a.OfficialAccounts(ctx)
	if err != nil {
		return MatchResult{}, fmt.Errorf("list official accounts: %w", err)
	}
	var best MatchResult
	consider := func(acc incident.OfficialAccountRef, score float64) {
		if score > best.Similarity {
			best = MatchResult{Account: &acc, Similarity: min(score, 1)}
		}
	}
	for _, s := range in.Subjects {
		if a.Similarity != nil {
			for _, acc := range accounts {
				consider(acc, matchScore(a.Similarity, s, acc))
			}
			continue
		}
		for _, subject := range []string{s.URL, s.DisplayName} {
			if strings.TrimSpace(subject) == "" || len(accounts) == 0 {
				continue
			}
			acc, score, _ := incident.BestMatch(subject, accounts)
			consider(acc, score)
		}
	}
	threshold := a.MinSimilarity
	if threshold <= 0 {
		threshold = DefaultMinSimilarity
	}
	if best.Account == nil || best.Similarity < threshold {
		return MatchResult{Similarity: best.Similarity}, nil
	}
	return best, nil
}

// matchScore is how much subject s resembles account acc under sim: display
// names, the names in both URLs (facebook.com/ubndtanuyen), and the URL name
// against the display name written together.
func matchScore(sim func(a, b string) float64, s incident.Subject, acc incident.OfficialAccountRef) float64 {
	norm := s.NormalizedURL
	if norm == "" {
		norm, _ = incident.NormalizeURL(s.URL)
	}
	if accNorm, err := incident.NormalizeURL(acc.URL); err == nil && norm != "" && norm == accNorm {
		return 1
	}
	var score float64
	if s.DisplayName != "" && acc.DisplayName != "" {
		score = max(score, sim(s.DisplayName, acc.DisplayName))
	}
	if name := urlName(s.URL); name != "" {
		if accName := urlName(acc.URL); accName != "" {
			score = max(score, sim(name, accName))
		}
		if acc.DisplayName != "" {
			score = max(score, sim(name, squeeze(acc.DisplayName)))
		}
	}
	return max(score, 0)
}

// urlName returns the first path segment of an absolute URL (the page or
// account name: facebook.com/ubndtanuyen, tiktok.com/@abc), else "".
func urlName(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	for _, seg := range strings.Split(u.Path, "/") {
		seg = strings.TrimPrefix(seg, "@")
		switch strings.ToLower(seg) {
		case "", "pages", "people", "groups", "profile.php", "channel", "c", "user":
			continue
		}
		return seg
	}
	return ""
}

// squeeze folds s and drops everything but letters and digits, the way names
// are written in URLs ("UBND huyện Tân Uyên" gives "ubndhuyentanuyen").
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, incident.FoldText(s))
}
