package schema

import (
	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// Takedown channels in the graph (issue 17, §2), beyond the contract
// (additions only): the enum TakedownChannel, TakedownInput.channel
// (default PLATFORM_REPORT) and TakedownInput.authority, and on
// TakedownRequest channel, authority, legalDeadline (AUTHORITY_REQUEST
// only) and followUpAt (PLATFORM_REPORT only). The rules are the domain's
// (incident/takedown_channel.go); a takedown recorded before channels
// existed reads as a PLATFORM_REPORT.

// takedownChannelFields adds the channel's enum and fields to t.
func (r *resolver) takedownChannelFields(t *types) {
	t.takedownChannel = enumOf("TakedownChannel",
		"How a takedown request reaches its platform; Decree 147/2024/NĐ-CP, Art. 23's 24 hours run only from an authority's request",
		incident.TakedownChannels, map[incident.TakedownChannel]string{
			incident.TakedownPlatformReport: "The office's own report through the platform's form or contact: its deadline is a follow-up, not a legal one",
			incident.TakedownAuthorityRequest: "A removal request of a competent authority (the ministry's department, the police cybersecurity unit, " +
				"the provincial department), named in authority: its deadline is the legal one",
		})
	t.takedownInput.AddFieldConfig("channel", &graphql.InputObjectFieldConfig{
		// No DefaultValue: graphql-go v0.8.1's introspection prints an input
		// field's enum default as a string literal ("PLATFORM_REPORT"), which
		// is not valid SDL; the domain reads a missing channel as
		// PLATFORM_REPORT instead.
		Type:        t.takedownChannel,
		Description: "How the request goes; left out (or null) it is PLATFORM_REPORT",
	})
	t.takedownInput.AddFieldConfig("authority", &graphql.InputObjectFieldConfig{
		Type: graphql.String,
		Description: "The competent authority that requested the removal, by name (e.g. \"Công an tỉnh Lai Châu (PA05)\"): " +
			"required for AUTHORITY_REQUEST, refused (BAD_USER_INPUT) for PLATFORM_REPORT; at most 500 characters",
	})
	t.takedown.AddFieldConfig("channel", field(nn(t.takedownChannel),
		"How the request went; PLATFORM_REPORT for requests recorded before channels existed",
		src(func(d *incident.Takedown) any { return d.Via() })))
	t.takedown.AddFieldConfig("authority", field(graphql.String,
		"The competent authority of an AUTHORITY_REQUEST; null for a platform report",
		src(func(d *incident.Takedown) any { return optString(d.Authority) })))
	t.takedown.AddFieldConfig("legalDeadline", field(DateTime,
		"When the platform must have removed the content by law (Decree 147/2024/NĐ-CP, Art. 23): dueAt of an AUTHORITY_REQUEST; null for a platform report",
		src(func(d *incident.Takedown) any { return optTime(d.LegalDeadline()) })))
	t.takedown.AddFieldConfig("followUpAt", field(DateTime,
		"When the office chases the platform about its report: dueAt of a PLATFORM_REPORT; null for an authority request",
		src(func(d *incident.Takedown) any { return optTime(d.FollowUpAt()) })))
}

// takedownCommand builds requestTakedown's command from its input.
func takedownCommand(in map[string]any) incident.RequestTakedown {
	pf, _ := in["platform"].(incident.Platform)
	ch, _ := in["channel"].(incident.TakedownChannel) // "" (left out) is PLATFORM_REPORT to the domain
	return incident.RequestTakedown{Platform: pf, TargetURL: argString(in, "targetUrl"), Reason: argString(in, "reason"),
		LegalBasis: argString(in, "legalBasis"), Channel: ch, Authority: argString(in, "authority")}
}
