package config

// Defaults, in one place. The type comments in types.go repeat them for readers of the schema.
const (
	DefaultHost               = "127.0.0.1"
	DefaultPort               = 8000
	DefaultLogLevel           = "INFO"
	DefaultLogDir             = "logs"
	DefaultLogMaxBytes        = 100 << 20 // 104857600
	DefaultLogBackupCount     = 30
	DefaultUsageDB            = "data/usage.db"
	DefaultUsageFlushSeconds  = 10
	DefaultMaxBodyMB          = 32
	DefaultUsageRetentionDays = 90
	DefaultLogBodies          = LogBodiesFull
	DefaultBreakerFailures    = 5
	DefaultBreakerOpenSeconds = 30.0

	DefaultProtocol       = ProtocolOpenAI
	DefaultMaxQueueSize   = 100
	DefaultQueueTimeout   = 300.0 // seconds
	DefaultReasoning      = ReasoningDrop
	DefaultConnectTimeout = 10.0  // seconds
	DefaultIdleTimeout    = 120.0 // seconds

	DefaultMode            = ModeChain
	DefaultPriority        = 1
	DefaultAdapterTimeout  = 60.0 // seconds
	DefaultRole            = RoleUser
	DefaultLogMaxBodyBytes = 4096 // seed-only log_max_body_length, unused
)

// Values of gateway.log_bodies.
const (
	LogBodiesFull      = "full"
	LogBodiesTruncated = "truncated"
	LogBodiesOff       = "off"
)

// Values of providers[].reasoning.
const (
	ReasoningDrop    = "drop"
	ReasoningContent = "reasoning_content"
)

// Default returns the all-default config: what an empty config.yaml means.
func Default() *Config {
	return &Config{Gateway: DefaultGateway()}
}

// DefaultGateway returns the gateway section with every default filled in.
func DefaultGateway() Gateway {
	return Gateway{
		Host:               DefaultHost,
		Port:               DefaultPort,
		LogLevel:           DefaultLogLevel,
		LogDir:             DefaultLogDir,
		LogMaxBytes:        DefaultLogMaxBytes,
		LogBackupCount:     DefaultLogBackupCount,
		LogMaxBodyLength:   DefaultLogMaxBodyBytes,
		UsageDB:            DefaultUsageDB,
		UsageFlushSeconds:  DefaultUsageFlushSeconds,
		MaxBodyMB:          DefaultMaxBodyMB,
		UsageRetentionDays: DefaultUsageRetentionDays,
		LogBodies:          DefaultLogBodies,
		CircuitBreaker:     CircuitBreaker{Failures: DefaultBreakerFailures, OpenSeconds: DefaultBreakerOpenSeconds},
	}
}

func defaultProvider() Provider {
	return Provider{
		Provider:     DefaultProtocol,
		MaxQueueSize: DefaultMaxQueueSize,
		QueueTimeout: DefaultQueueTimeout,
		Reasoning:    DefaultReasoning,
		Timeouts:     Timeouts{Connect: DefaultConnectTimeout, Idle: DefaultIdleTimeout},
	}
}

func defaultAdapter() Adapter {
	return Adapter{Priority: DefaultPriority, Timeout: DefaultAdapterTimeout}
}

// SetDefaults fills the fields whose zero value has no meaning of its own (an empty host, port
// 0, no roles, …). Fields where zero is meaningful — priority, max_queue_size, queue_timeout,
// log_backup_count, usage_retention_days, rate/daily limits — and fields where an explicit zero
// is a mistake that validation reports — timeouts and the gateway's circuit breaker — get their
// defaults only when the key is absent from the file, which decoding handles; SetDefaults leaves
// them alone. Parse calls it; code that builds a Config in memory should call it before Validate.
// A provider's circuit_breaker fields that are zero inherit the gateway-wide values.
func (c *Config) SetDefaults() {
	g := &c.Gateway
	def := DefaultGateway()
	setString(&g.Host, def.Host)
	setInt(&g.Port, def.Port)
	setString(&g.LogLevel, def.LogLevel)
	setString(&g.LogDir, def.LogDir)
	if g.LogMaxBytes == 0 {
		g.LogMaxBytes = def.LogMaxBytes
	}
	setString(&g.UsageDB, def.UsageDB)
	setInt(&g.UsageFlushSeconds, def.UsageFlushSeconds)
	setInt(&g.MaxBodyMB, def.MaxBodyMB)
	setString(&g.LogBodies, def.LogBodies)

	for i := range c.Providers {
		p := &c.Providers[i]
		setString(&p.Provider, DefaultProtocol)
		setString(&p.Reasoning, DefaultReasoning)
		if p.CircuitBreaker != nil {
			setInt(&p.CircuitBreaker.Failures, g.CircuitBreaker.Failures)
			setFloat(&p.CircuitBreaker.OpenSeconds, g.CircuitBreaker.OpenSeconds)
		}
	}
	for i := range c.Models {
		m := &c.Models[i]
		setString(&m.Mode, DefaultMode)
	}
	for i := range c.APIKeys {
		if len(c.APIKeys[i].Roles) == 0 {
			c.APIKeys[i].Roles = []string{DefaultRole}
		}
	}
}

// Breaker returns the provider's effective circuit breaker: its own, else the gateway's.
func (c *Config) Breaker(p *Provider) CircuitBreaker {
	if p != nil && p.CircuitBreaker != nil {
		return *p.CircuitBreaker
	}
	return c.Gateway.CircuitBreaker
}

func setString(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func setFloat(p *float64, v float64) {
	if *p == 0 {
		*p = v
	}
}
