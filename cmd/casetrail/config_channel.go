package main

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"casetrail/incident"
)

// channelSpans is the policy file's takedownResponseByChannel (issue 17,
// §2): a span per takedown channel, each a duration ("72h") or a count of
// working days ("1wd"), e.g. {PLATFORM_REPORT: 72h, AUTHORITY_REQUEST: 24h}.
// A channel left out keeps takedownResponse.
type channelSpans map[incident.TakedownChannel]policySpan

func (c *channelSpans) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a map of takedown channels (PLATFORM_REPORT, AUTHORITY_REQUEST) to durations", n.Line)
	}
	*c = channelSpans{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ch := incident.TakedownChannel(k.Value)
		if !incident.ValidTakedownChannel(ch) {
			return fmt.Errorf("line %d: %q is not a takedown channel (PLATFORM_REPORT, AUTHORITY_REQUEST)", k.Line, k.Value)
		}
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: %s: expected one duration or number of working days", v.Line, k.Value)
		}
		sp, err := parseSpan(v.Line, v.Value)
		if err != nil {
			return fmt.Errorf("%s: %w", k.Value, err)
		}
		(*c)[ch] = sp
	}
	return nil
}

// apply writes the spans into p.TakedownResponseByChannel.
func (c channelSpans) apply(p *incident.Policy) {
	if len(c) == 0 {
		return
	}
	p.TakedownResponseByChannel = make(map[incident.TakedownChannel]incident.ChannelSpan, len(c))
	for ch, sp := range c {
		p.TakedownResponseByChannel[ch] = incident.ChannelSpan{Duration: sp.d, WorkingDays: sp.wd}
	}
}
