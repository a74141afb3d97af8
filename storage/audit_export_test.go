package storage

// Hooks for the audit trail's black-box tests.
var (
	AuditKey = auditKey
	TrailKey = trailKey
)
