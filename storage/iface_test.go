package storage_test

import (
	"campaignbot/commands"
	"campaignbot/storage"
)

// The handler's Store interface is the contract; it is pinned here because storage must not
// import commands outside tests.
var _ commands.Store = (*storage.Store)(nil)
