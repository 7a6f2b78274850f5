package proxy

import (
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/routing"
)

// balance orders a balanced model's targets for this request (issue 18):
// each priority level by the model's policy, a conversation's pinned adapter
// first while it is healthy. It returns the conversation to pin the winner
// to, "" for none. A model without a balance policy is left in file order
// and pays nothing.
func (s *Snapshot) balance(model *config.Model, ts []router.Target, in *inbound, now time.Time) string {
	if !model.Balanced() {
		return ""
	}
	for i := range ts {
		ts[i].Load = s.Balancer.Load(ts[i].Provider, ts[i].Model)
	}
	conversation := ""
	if model.Pinned() {
		conversation = routing.Conversation(in.family, in.body, in.obj)
	}
	s.Balancer.Order(model.Name, model.Balance, ts, conversation, now)
	return conversation
}
