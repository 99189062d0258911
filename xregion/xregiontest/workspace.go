package xregiontest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
)

// Workspace is one fake Databricks workspace attached to its own fake Unity
// Catalog metastore. Its fields mirror those of *databricks.WorkspaceClient,
// so that code written against the SDK's service interfaces takes
// w.Shares, w.Catalogs and the rest as they are.
//
// A Workspace is safe for concurrent use by multiple goroutines, seeding and
// inspection included. Make one with [NewWorkspace]; the zero value is not
// usable.
type Workspace struct {
	// ModelVersions serves registered model versions.
	ModelVersions *ModelVersions
	// Tables serves tables.
	Tables *Tables
	// Functions serves functions, FeatureSpecs included, and their
	// securable kinds.
	Functions *Functions
	// Connections serves connections.
	Connections *Connections
	// Credentials serves service credentials.
	Credentials *Credentials
	// Metastores serves the summary of the workspace's metastore.
	Metastores *Metastores
	// Shares serves the Delta Sharing shares of the metastore.
	Shares *Shares
	// Recipients serves the share recipients of the metastore.
	Recipients *Recipients
	// Providers serves the providers that share data with the metastore.
	Providers *Providers
	// Catalogs serves catalogs, those created from a share included.
	Catalogs *Catalogs
	// Schemas serves the schemas of the catalogs.
	Schemas *Schemas
	// FeatureStore serves online stores and publishes tables into them.
	FeatureStore *FeatureStore
	// Database serves the status of published online tables, which the
	// service keeps as Lakebase synced tables, for online stores that are
	// Lakebase Provisioned instances.
	Database *Database
	// Postgres serves the status of published online tables for online
	// stores that are Lakebase Autoscaling projects, the default for
	// stores created from 2026-03-23 on ([AutoscalingSince]).
	Postgres *Postgres
	// ServingEndpoints serves model serving endpoints: their configs,
	// scripted config updates and queries.
	ServingEndpoints *ServingEndpoints

	cfg config
	// grp is the link group; its mutex guards every field below, in this
	// workspace and in every other member.
	grp *group

	models      map[string]*registeredModel // by full name
	tables      map[string]catalog.TableInfo
	functions   map[string]function
	connections map[string]catalog.ConnectionInfo
	credentials map[string]catalog.CredentialInfo
	catalogs    map[string]catalog.CatalogInfo
	schemas     map[string]catalog.SchemaInfo // by catalog.schema
	shares      map[string]*share
	recipients  map[string]sharing.RecipientInfo
	stores      map[string]*onlineStore
	synced      map[string]*syncedTable // online tables by full name
	scripts     map[string][]SyncStep   // by online table full name

	endpoints     map[string]*servingEndpoint   // by name
	vanishing     map[string]*vanishingEndpoint // deleted, still shown by GET
	deployScripts map[string]Deployment         // by scriptKey
	queryScripts  map[string]QueryScript        // by scriptKey
	history       map[string][]EndpointEvent    // by endpoint name

	// seen counts, per provider or provider share that this workspace
	// could see, the Providers calls that saw it (see WithProviderLag),
	// and per share change, the reads that could have seen it (see
	// WithShareLag).
	seen map[string]int
	// fresh marks, in a provider's workspace, the share changes that
	// recipients see only after a lag: share objects added by
	// Shares.Update and model versions added to a shared model.
	fresh map[string]bool
	// lagged logs the calls of this workspace that did not see a share
	// change because of the share lag; method is the call in progress.
	lagged []LaggedRead
	method string

	calls  map[string]int
	writes []Write
	faults []*faultRule

	ids int64 // id counter, see newID

	rng *rand.Rand // query routing, seeded (see WithRoutingSeed)
}

// group is a set of linked workspaces that share one lock and one clock.
type group struct {
	mu      sync.Mutex
	members []*Workspace
	start   int64 // the clock's start, ms since the epoch
	tick    int64 // logical clock, see now
}

type config struct {
	cloud, region string
	metastoreID   string
	org           string
	user          string
	pageSize      int
	providerLag   int
	shareLag      int
	latency       time.Duration
	storeStartup  int
	deleteLag     int  // see WithDeleteLag
	syncedList    bool // see WithSyncedTableList
	workspaceID   int64
	serving       servingConfig

	// Permissions of the caller (see WithMetastoreAdmin,
	// WithMetastorePrivileges and WithProviderOwner).
	admin         bool
	privileges    map[string]bool
	providerOwner string
	// noOnlineStores: the region offers no online stores.
	noOnlineStores bool
	// start is the shared clock's start (see WithStartTime).
	start        time.Time
	postgresSpec bool
	// republishNoSync: publishing again into a table does not sync it.
	republishNoSync bool
}

// Option configures a [Workspace] made by [NewWorkspace].
type Option func(*config)

// WithRegion places the workspace's metastore in a cloud ("aws", "azure"
// or "gcp") and region. The default is "aws", "us-east-1". It panics if
// cloud is not one of those three or region is empty.
func WithRegion(cloud, region string) Option {
	if cloud != "aws" && cloud != "azure" && cloud != "gcp" {
		panic(fmt.Sprintf("xregiontest: WithRegion: cloud %q is not aws, azure or gcp", cloud))
	}
	if region == "" || strings.Contains(region, ":") {
		panic(fmt.Sprintf("xregiontest: WithRegion: bad region %q", region))
	}
	return func(c *config) { c.cloud, c.region = cloud, region }
}

// WithMetastoreID sets the metastore's uuid. By default it is derived from
// the cloud and region, so that two workspaces in the same region are
// attached to the same metastore, as a Databricks account has one metastore
// per region. Such workspaces still keep separate state: seed in each what
// it must see. It panics if id is not shaped like a lower-case uuid.
func WithMetastoreID(id string) Option {
	if !isUUID(id) {
		panic(fmt.Sprintf("xregiontest: WithMetastoreID: %q is not a uuid", id))
	}
	return func(c *config) { c.metastoreID = id }
}

// WithOrganization sets the metastore's Delta Sharing organization name,
// which is also the name of the provider that workspaces linked to this one
// see. The default is "org-" followed by the region, such as
// "org-us-east-1". It panics if name is not a valid object name.
func WithOrganization(name string) Option {
	if p := nameProblem(name); p != "" {
		panic(fmt.Sprintf("xregiontest: WithOrganization: %q: %s", name, p))
	}
	return func(c *config) { c.org = name }
}

// WithPageSize sets the server page length of paginated responses: a
// [Shares.SharePermissions] call returns at most n assignments per page,
// and so does every page of a list served over HTTP ([Workspace.Handler])
// when the client asks for the server's page length (max_results=0, as
// the SDK does). The default is 50. It panics if n < 1.
func WithPageSize(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("xregiontest: WithPageSize: %d < 1", n))
	}
	return func(c *config) { c.pageSize = n }
}

// WithUser sets the identity of the caller, used as owner, created_by and
// added_by of what the workspace creates. The default is
// "xregion-test@example.com". It panics if name is empty.
func WithUser(name string) Option {
	if name == "" {
		panic("xregiontest: WithUser: empty name")
	}
	return func(c *config) { c.user = name }
}

// WithProviderLag delays what this workspace sees as a recipient: a provider,
// or a share of a provider, that becomes visible is left out of the first n
// Providers calls that could see it and shows from the next one on. Until a
// Providers call has shown it, [Catalogs.Create] treats it as missing. It
// models the propagation delay of D2D sharing: providers appear on their
// own after a grant (Databricks docs, "manage providers"; terraform-provider-databricks
// PR #1572), and share changes reach recipients about a minute late (docs on
// reading shares). The default is [DefaultProviderLag]; 0 shows
// everything at once. It panics if n < 0.
func WithProviderLag(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("xregiontest: WithProviderLag: %d < 0", n))
	}
	return func(c *config) { c.providerLag = n }
}

// DefaultProviderLag is the provider lag of a workspace made without
// [WithProviderLag].
const DefaultProviderLag = 1

// DefaultShareLag is the share lag of a workspace made without
// [WithShareLag].
const DefaultShareLag = 3

// WithShareLag delays what this workspace sees of a share it reads through
// a catalog created from it: an object added to the share by
// [Shares.Update], or a version added to a shared model, is left out of
// the first n reads of this workspace that could see it (a Get that
// answers 404 RESOURCE_DOES_NOT_EXIST, a list that leaves it out), and
// shows from the next one on. Objects and versions seeded before they were
// shared ([Workspace.AddShare], versions of a model not yet in a share)
// show at once. Reads move the lag on, never the wall clock; each read the
// lag hides is logged ([Workspace.LaggedReads]). The default is
// [DefaultShareLag]; 0 shows every change at once, a kinder mode for tests
// that are not about propagation. It panics if n < 0.
func WithShareLag(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("xregiontest: WithShareLag: %d < 0", n))
	}
	return func(c *config) { c.shareLag = n }
}

// WithMetastoreAdmin makes the caller a metastore admin, who sees every
// recipient and provider of the metastore in lists and reads. By default
// the caller is not one: lists and reads of recipients and providers are
// filtered by ownership and privileges (see [Recipients.ListAll] and
// [Providers.ListAll]).
func WithMetastoreAdmin() Option {
	return func(c *config) { c.admin = true }
}

// WithMetastorePrivileges grants the caller privileges on the metastore,
// such as "USE_PROVIDER" (see every provider) or "USE_RECIPIENT" (read
// every recipient by name). It panics on a privilege other than those two,
// the only ones the fake checks.
func WithMetastorePrivileges(privileges ...string) Option {
	for _, p := range privileges {
		if p != "USE_PROVIDER" && p != "USE_RECIPIENT" {
			panic(fmt.Sprintf("xregiontest: WithMetastorePrivileges: %q is not USE_PROVIDER or USE_RECIPIENT", p))
		}
	}
	return func(c *config) {
		if c.privileges == nil {
			c.privileges = map[string]bool{}
		}
		for _, p := range privileges {
			c.privileges[p] = true
		}
	}
}

// WithProviderOwner sets the owner of the D2D providers that appear in this
// workspace when another metastore shares with it. By default it is the
// caller (see [WithUser]); who owns an automatically created provider is
// not documented. Give another owner to model a caller who cannot see the
// providers of its metastore. It panics if owner is empty.
func WithProviderOwner(owner string) Option {
	if owner == "" {
		panic("xregiontest: WithProviderOwner: empty owner")
	}
	return func(c *config) { c.providerOwner = owner }
}

// WithoutOnlineStores places the workspace in a region that offers no
// online stores: every FeatureStore call about online stores fails with
// 400 FEATURE_DISABLED (the code and message are assumptions).
func WithoutOnlineStores() Option {
	return func(c *config) { c.noOnlineStores = true }
}

// WithLatency makes every call of the workspace's services take d before it
// reaches the fake's state, as a round trip to a region would, without
// holding the workspace's lock. The wait is a real timer (run tests that
// use it under testing/synctest so that no real time passes); a done ctx
// ends it early. It panics if d is negative.
func WithLatency(d time.Duration) Option {
	if d < 0 {
		panic(fmt.Sprintf("xregiontest: WithLatency: negative %v", d))
	}
	return func(c *config) { c.latency = d }
}

// WithStoreStartup sets how long an online store made by
// [FeatureStore.CreateOnlineStore] takes to start: the store reports
// STARTING from the create and on its first n [FeatureStore.GetOnlineStore]
// reads, and AVAILABLE from then on. Only those reads move it on, never the
// wall clock. The default is 2; with 0 a store is AVAILABLE at once. It
// panics if n < 0.
func WithStoreStartup(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("xregiontest: WithStoreStartup: %d < 0", n))
	}
	return func(c *config) { c.storeStartup = n }
}

// WithWorkspaceID sets the workspace's numeric id, which its HTTP face
// ([Workspace.Handler]) reports as the workspace_id of its host metadata
// and in the X-Databricks-Org-Id header of SCIM Me, where
// WorkspaceClient.CurrentWorkspaceID reads it. By default it is derived
// from the cloud, region, metastore id, organization and user, so that
// runs are reproducible; workspaces configured alike get the same id, so
// set it to tell them apart. It panics if id is not positive.
func WithWorkspaceID(id int64) Option {
	if id <= 0 {
		panic(fmt.Sprintf("xregiontest: WithWorkspaceID: %d is not positive", id))
	}
	return func(c *config) { c.workspaceID = id }
}

// WithStartTime sets the time of the workspace's logical clock before its
// first event (see the package documentation). The default is
// 2026-06-01T00:00:00Z, a date when new online stores are Lakebase
// Autoscaling projects ([AutoscalingSince]); a start before that date
// makes the stores [FeatureStore.CreateOnlineStore] creates Lakebase
// Provisioned instances. [Link] gives linked workspaces one clock, the
// latest of theirs. It panics if t is the zero time.
func WithStartTime(t time.Time) Option {
	if t.IsZero() {
		panic("xregiontest: WithStartTime: zero time")
	}
	return func(c *config) { c.start = t }
}

// NewWorkspace returns an empty fake workspace configured by opts. Seed it
// with the Add methods, and call [Link] to let it share data with others.
func NewWorkspace(opts ...Option) *Workspace {
	cfg := config{cloud: "aws", region: "us-east-1", user: "xregion-test@example.com", pageSize: 50, storeStartup: 2, deleteLag: DefaultDeleteLag, shareLag: DefaultShareLag, providerLag: DefaultProviderLag,
		serving: defaultServingConfig()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.metastoreID == "" {
		// why: an account has one metastore per region (Databricks docs),
		// so the default follows the region.
		cfg.metastoreID = uuidOf("metastore", cfg.cloud, cfg.region)
	}
	if cfg.org == "" {
		cfg.org = "org-" + cfg.region
	}
	if cfg.providerOwner == "" {
		// why: who owns an automatically created D2D provider is not
		// documented (the "manage providers" docs do not say); by default the caller
		// does, and WithProviderOwner models one it cannot see (SDK doc of
		// ProvidersService.List: the list is filtered by permission).
		cfg.providerOwner = cfg.user
	}
	if cfg.workspaceID == 0 {
		// why: workspace ids are 16-digit numbers in workspace URLs
		// (Databricks docs); a derived one keeps
		// runs reproducible.
		cfg.workspaceID = numericID("workspace", cfg.cloud, cfg.region, cfg.metastoreID, cfg.org, cfg.user)
	}
	w := &Workspace{
		cfg:         cfg,
		models:      map[string]*registeredModel{},
		tables:      map[string]catalog.TableInfo{},
		functions:   map[string]function{},
		connections: map[string]catalog.ConnectionInfo{},
		credentials: map[string]catalog.CredentialInfo{},
		catalogs:    map[string]catalog.CatalogInfo{},
		schemas:     map[string]catalog.SchemaInfo{},
		shares:      map[string]*share{},
		recipients:  map[string]sharing.RecipientInfo{},
		stores:      map[string]*onlineStore{},
		synced:      map[string]*syncedTable{},
		scripts:     map[string][]SyncStep{},
		seen:        map[string]int{},
		fresh:       map[string]bool{},
		calls:       map[string]int{},

		endpoints:     map[string]*servingEndpoint{},
		vanishing:     map[string]*vanishingEndpoint{},
		deployScripts: map[string]Deployment{},
		queryScripts:  map[string]QueryScript{},
		history:       map[string][]EndpointEvent{},
		rng:           rand.New(rand.NewPCG(cfg.serving.seed, 0x78726567696f6e)),
	}
	if cfg.noOnlineStores {
		// why: online stores are offered in limited regions (terraform
		// online_store docs); the refusal the service sends in
		// other regions is not documented (assumption).
		for _, m := range []string{"FeatureStore.GetOnlineStore", "FeatureStore.ListOnlineStoresAll", "FeatureStore.CreateOnlineStore", "FeatureStore.PublishTable"} {
			w.faults = append(w.faults, &faultRule{Fault: Fault{Method: m, Err: apiError(http.StatusBadRequest, "FEATURE_DISABLED",
				"Online feature stores are not available in region %s.", cfg.region)}})
		}
	}
	start := baseTime
	if !cfg.start.IsZero() {
		start = cfg.start.UnixMilli()
	}
	w.grp = &group{members: []*Workspace{w}, start: start}
	w.ModelVersions = &ModelVersions{w}
	w.Tables = &Tables{w}
	w.Functions = &Functions{w}
	w.Connections = &Connections{w}
	w.Credentials = &Credentials{w}
	w.Metastores = &Metastores{w}
	w.Shares = &Shares{w}
	w.Recipients = &Recipients{w}
	w.Providers = &Providers{w}
	w.Catalogs = &Catalogs{w}
	w.Schemas = &Schemas{w}
	w.FeatureStore = &FeatureStore{w}
	w.Database = &Database{w}
	w.Postgres = &Postgres{w}
	w.ServingEndpoints = &ServingEndpoints{w}
	return w
}

// Link lets the given workspaces share data with one another through D2D
// Delta Sharing, as workspaces of one Databricks account in different
// regions can: a share granted in one to a recipient for another's metastore
// shows up in the other as a provider. Linking is transitive and merges
// earlier links, and all linked workspaces share one lock and one logical
// clock, which goes on from the latest of theirs, so that times of one
// workspace compare with those of another as wall-clock times do.
//
// Call Link while no other goroutine is using the workspaces. It panics if a
// workspace is nil, or if two linked workspaces on different metastores
// have the same organization name (their providers would clash).
func Link(workspaces ...*Workspace) {
	g := &group{}
	in := map[*Workspace]bool{}
	for _, w := range workspaces {
		if w == nil {
			panic("xregiontest: Link: nil workspace")
		}
		if now := w.grp.start + w.grp.tick*1000; now > g.start+g.tick*1000 {
			g.start, g.tick = now, 0
		}
		for _, m := range w.grp.members {
			if !in[m] {
				in[m] = true
				g.members = append(g.members, m)
			}
		}
	}
	orgs := map[string]string{}
	for _, m := range g.members {
		if id, ok := orgs[m.cfg.org]; ok && id != m.GlobalMetastoreID() {
			panic(fmt.Sprintf("xregiontest: Link: metastores %s and %s both have organization name %q", id, m.GlobalMetastoreID(), m.cfg.org))
		}
		orgs[m.cfg.org] = m.GlobalMetastoreID()
	}
	for _, m := range g.members {
		m.grp = g
	}
}

// GlobalMetastoreID returns the workspace's D2D sharing identifier,
// "cloud:region:metastore-uuid".
func (w *Workspace) GlobalMetastoreID() string {
	return w.cfg.cloud + ":" + w.cfg.region + ":" + w.cfg.metastoreID
}

// MetastoreID returns the uuid of the workspace's metastore.
func (w *Workspace) MetastoreID() string { return w.cfg.metastoreID }

// WorkspaceID returns the workspace's numeric id (see [WithWorkspaceID]).
func (w *Workspace) WorkspaceID() int64 { return w.cfg.workspaceID }

// lock takes the lock of w's link group and returns its unlock.
func (w *Workspace) lock() func() {
	g := w.grp
	g.mu.Lock()
	return g.mu.Unlock
}

// call runs one API call of method on w under the group lock: it checks
// ctx, counts the call, applies the faults injected for method, and logs the
// call in the write log when it is a successful write. op returns the
// result, a fresh copy built under the lock, and the resource name to log.
func call[T any](ctx context.Context, w *Workspace, method string, op func() (T, string, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if d := w.cfg.latency; d > 0 {
		// Spent outside the lock, as a network round trip would be.
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return zero, ctx.Err()
		case <-t.C:
		}
	}
	defer w.lock()()
	w.calls[method]++
	w.method = method
	defer func() { w.method = "" }()
	f := w.fault(method)
	if f != nil && !f.AfterCommit {
		return zero, f.Err
	}
	res, resource, err := op()
	if err != nil {
		return zero, err
	}
	if isWrite(method) {
		w.writes = append(w.writes, Write{Method: method, Resource: resource})
	}
	if f != nil {
		return zero, f.Err
	}
	return res, nil
}

// baseTime is the fake clock's default start, 2026-06-01T00:00:00Z in
// milliseconds: a date when online stores are created as Lakebase
// Autoscaling projects (see AutoscalingSince).
const baseTime int64 = 1780272000000

// now returns the time of the next event in milliseconds since the epoch.
// The clock is logical, one second per event, so that runs are reproducible
// and nothing depends on the wall clock. Linked workspaces share it.
func (w *Workspace) now() int64 {
	w.grp.tick++
	return w.grp.start + w.grp.tick*1000
}

// newID returns a fresh uuid-shaped id, deterministic for a given workspace
// and sequence of calls.
func (w *Workspace) newID(kind string) string {
	w.ids++
	return uuidOf(kind, w.cfg.metastoreID, fmt.Sprint(w.ids))
}

// uuidOf derives a uuid-shaped string (version 5 layout) from parts.
func uuidOf(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// numericID derives a 16-digit number from parts.
func numericID(parts ...string) int64 {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return 1_000_000_000_000_000 + int64(binary.BigEndian.Uint64(sum[:8])%9_000_000_000_000_000)
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
				return false
			}
		}
	}
	return true
}

// nameProblem says what is wrong with one part of a Unity Catalog name, or
// returns "" when it is valid.
func nameProblem(part string) string {
	switch {
	case part == "":
		return "name is empty"
	case len(part) > 255:
		return "name is longer than 255 characters"
	}
	for _, r := range part {
		switch {
		case r == '.':
			return "name contains a period"
		case r == ' ':
			return "name contains a space"
		case r == '/':
			return "name contains a forward slash"
		case r < 0x20 || r == 0x7f:
			return "name contains a control character"
		}
	}
	return ""
}

// checkName returns a 400 INVALID_PARAMETER_VALUE for an invalid
// one-part name of the given kind.
func checkName(kind, name string) error {
	if p := nameProblem(name); p != "" {
		return InvalidParameter("invalid %s name %q: %s", kind, name, p)
	}
	return nil
}

// splitName splits a name of n dot-separated valid parts.
func splitName(name string, n int) ([]string, bool) {
	parts := strings.Split(name, ".")
	if len(parts) != n {
		return nil, false
	}
	for _, p := range parts {
		if nameProblem(p) != "" {
			return nil, false
		}
	}
	return parts, true
}

// parseFull splits a three-part name catalog.schema.name, returning a 400
// INVALID_PARAMETER_VALUE when it is not one.
func parseFull(kind, name string) ([]string, error) {
	parts, ok := splitName(name, 3)
	if !ok {
		return nil, InvalidParameter("invalid %s name %q: want catalog.schema.name", kind, name)
	}
	return parts, nil
}

// mustFull is parseFull for seeding methods, which panic on misuse.
func mustFull(method, name string) []string {
	parts, ok := splitName(name, 3)
	if !ok {
		panic(fmt.Sprintf("xregiontest: %s: %q is not a three-part name catalog.schema.name", method, name))
	}
	return parts
}

// ensureCatalog creates the managed catalog a seeded object lives in, if
// missing. It panics if the catalog was created from a share.
func (w *Workspace) ensureCatalog(method, name string) {
	c, ok := w.catalogs[name]
	if !ok {
		w.catalogs[name] = catalog.CatalogInfo{
			Name: name, FullName: name, CatalogType: catalog.CatalogTypeManagedCatalog,
			MetastoreId: w.cfg.metastoreID, Owner: w.cfg.user, CreatedAt: w.now(), CreatedBy: w.cfg.user,
			SecurableType: catalog.SecurableTypeCatalog,
		}
		return
	}
	if c.CatalogType == catalog.CatalogTypeDeltasharingCatalog {
		panic(fmt.Sprintf("xregiontest: %s: catalog %q was created from a share and is read-only", method, name))
	}
}
