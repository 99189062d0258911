package xregiontest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/sharing"
)

// Recipients is the fake of w.Recipients. It is safe for concurrent use.
// Get it from a [Workspace]; the zero value is not usable.
type Recipients struct{ w *Workspace }

// parseGlobalID splits a global metastore id "cloud:region:uuid".
func parseGlobalID(id string) (cloud, region, metastore string, ok bool) {
	parts := strings.Split(id, ":")
	if len(parts) != 3 || parts[1] == "" || !isUUID(strings.ToLower(parts[2])) {
		return "", "", "", false
	}
	switch parts[0] {
	case "aws", "azure", "gcp":
		return parts[0], parts[1], parts[2], true
	}
	return "", "", "", false
}

// checkRecipient returns the error the service sends for a request to
// create recipient r, or nil.
func (w *Workspace) checkRecipient(r sharing.RecipientInfo) error {
	if err := checkName("recipient", r.Name); err != nil {
		return err
	}
	if _, ok := w.recipients[r.Name]; ok {
		return AlreadyExists("Recipient '%s' already exists.", r.Name)
	}
	id := r.DataRecipientGlobalMetastoreId
	switch r.AuthenticationType {
	case sharing.AuthenticationTypeDatabricks:
		if _, _, _, ok := parseGlobalID(id); !ok {
			return InvalidParameter("data_recipient_global_metastore_id %q: want <cloud>:<region>:<metastore-uuid>", id)
		}
		// why: a D2D recipient for the provider's own metastore is refused
		// with a "same sharing identifier" error (troubleshooting in the README
		// of debu-sinha/cross-region-model-serving-dab); same-metastore sharing
		// uses no new recipient.
		if strings.EqualFold(id, w.GlobalMetastoreID()) {
			return InvalidParameter("Cannot create a recipient with the same sharing identifier as the provider metastore (%s).", id)
		}
		// why: one D2D recipient per target metastore
		// (terraform-provider-databricks#3930).
		for _, n := range slices.Sorted(maps.Keys(w.recipients)) {
			o := w.recipients[n]
			if o.AuthenticationType == sharing.AuthenticationTypeDatabricks && strings.EqualFold(o.DataRecipientGlobalMetastoreId, id) {
				// why: the service's message (terraform
				// provider issue #3930; public clients match on "already
				// exists with same sharing identifier"). It names the
				// sharing identifier, not the recipient, which the caller
				// may not be allowed to see. The status is an assumption.
				return AlreadyExists("Recipient already exists with same sharing identifier %s.", id)
			}
		}
	case sharing.AuthenticationTypeToken:
		if id != "" {
			return InvalidParameter("data_recipient_global_metastore_id is only allowed for DATABRICKS recipients")
		}
	case sharing.AuthenticationTypeOauthClientCredentials, sharing.AuthenticationTypeOidcFederation:
		return notImplemented("recipients with authentication_type %s", r.AuthenticationType)
	case "":
		return InvalidParameter("authentication_type is required")
	default:
		return InvalidParameter("unknown authentication_type %q", r.AuthenticationType)
	}
	return nil
}

// completeRecipient fills the output-only fields of a new recipient.
func (w *Workspace) completeRecipient(r *sharing.RecipientInfo) {
	at := w.now()
	if cloud, region, metastore, ok := parseGlobalID(r.DataRecipientGlobalMetastoreId); ok && r.AuthenticationType == sharing.AuthenticationTypeDatabricks {
		r.Cloud, r.Region, r.MetastoreId = cloud, region, metastore
	}
	if r.Id == "" {
		r.Id = w.newID("recipient")
	}
	if r.Owner == "" {
		r.Owner = w.cfg.user
	}
	if r.CreatedAt == 0 {
		r.CreatedAt, r.UpdatedAt = at, at
	}
	if r.CreatedBy == "" {
		r.CreatedBy, r.UpdatedBy = w.cfg.user, w.cfg.user
	}
	if r.AuthenticationType == sharing.AuthenticationTypeToken && len(r.Tokens) == 0 {
		tok := w.newID("token")
		r.ActivationUrl = "https://fake.databricks.invalid/delta_sharing/retrieve_config.html?" + tok
		r.Tokens = []sharing.RecipientTokenInfo{{
			Id: tok, ActivationUrl: r.ActivationUrl,
			CreatedAt: at, CreatedBy: w.cfg.user, UpdatedAt: at, UpdatedBy: w.cfg.user,
		}}
	}
}

// AddRecipient seeds a recipient as given, without the checks of
// [Recipients.Create], so that a test can seed what the API would refuse,
// such as a DATABRICKS recipient without a metastore id standing for the
// built-in "self" recipient of same-metastore sharing. AuthenticationType
// defaults to DATABRICKS when DataRecipientGlobalMetastoreId is set and to
// TOKEN otherwise; Id, Owner, CreatedAt, CreatedBy, the Cloud, Region and
// MetastoreId of a D2D recipient and the token of a TOKEN recipient are
// filled. It panics if Name is not a valid name or the recipient exists.
func (w *Workspace) AddRecipient(r sharing.RecipientInfo) {
	if p := nameProblem(r.Name); p != "" {
		panic(fmt.Sprintf("xregiontest: AddRecipient: %q: %s", r.Name, p))
	}
	defer w.lock()()
	if _, ok := w.recipients[r.Name]; ok {
		panic(fmt.Sprintf("xregiontest: AddRecipient: recipient %q exists", r.Name))
	}
	r = clone(r)
	if r.AuthenticationType == "" {
		r.AuthenticationType = sharing.AuthenticationTypeToken
		if r.DataRecipientGlobalMetastoreId != "" {
			r.AuthenticationType = sharing.AuthenticationTypeDatabricks
		}
	}
	w.completeRecipient(&r)
	w.recipients[r.Name] = r
}

// Get returns a recipient. It returns a 404 RESOURCE_DOES_NOT_EXIST error
// when the recipient does not exist.
func (s *Recipients) Get(ctx context.Context, req sharing.GetRecipientRequest) (*sharing.RecipientInfo, error) {
	return call(ctx, s.w, "Recipients.Get", func() (*sharing.RecipientInfo, string, error) {
		r, ok := s.w.recipients[req.Name]
		if !ok {
			return nil, "", NotFound("Recipient '%s' does not exist.", req.Name)
		}
		// why: "The caller must be one of: A user with USE_RECIPIENT
		// privilege on the metastore, The owner of the share recipient, A
		// metastore admin" (SDK doc of RecipientsService.Get).
		c := s.w.cfg
		if !c.admin && !c.privileges["USE_RECIPIENT"] && r.Owner != c.user {
			return nil, "", PermissionDenied("User does not have USE_RECIPIENT on Metastore and is not the owner of Recipient '%s'.", req.Name)
		}
		r = clone(r)
		return &r, "", nil
	})
}

// ListAll returns the recipients sorted by name, only those whose
// DataRecipientGlobalMetastoreId equals the one requested when it is set.
func (s *Recipients) ListAll(ctx context.Context, req sharing.ListRecipientsRequest) ([]sharing.RecipientInfo, error) {
	return call(ctx, s.w, "Recipients.ListAll", func() ([]sharing.RecipientInfo, string, error) {
		out := []sharing.RecipientInfo{}
		for _, n := range slices.Sorted(maps.Keys(s.w.recipients)) {
			r := s.w.recipients[n]
			// why: "If no recipients exist with this ID, no results will be
			// returned" (SDK doc of ListRecipientsRequest).
			if req.DataRecipientGlobalMetastoreId != "" && !strings.EqualFold(r.DataRecipientGlobalMetastoreId, req.DataRecipientGlobalMetastoreId) {
				continue
			}
			// why: the list holds the recipients where "the caller is a
			// metastore admin, or the caller is the owner" (SDK doc of
			// RecipientsService.List): others are left out.
			if !s.w.cfg.admin && r.Owner != s.w.cfg.user {
				continue
			}
			out = append(out, clone(r))
		}
		return out, "", nil
	})
}

// Create creates a recipient. A DATABRICKS (D2D) recipient needs
// DataRecipientGlobalMetastoreId of the form "cloud:region:uuid"; a TOKEN
// recipient gets a token with an activation URL.
//
// It returns a 400 INVALID_PARAMETER_VALUE error for an invalid name, a
// missing or unknown authentication type, a malformed metastore id, or the
// provider's own metastore id (the "same sharing identifier" error); and a
// 409 RESOURCE_ALREADY_EXISTS error when the name is taken or a D2D
// recipient for that metastore exists. OAUTH_CLIENT_CREDENTIALS and
// OIDC_FEDERATION recipients are not modelled and fail with 501.
func (s *Recipients) Create(ctx context.Context, req sharing.CreateRecipient) (*sharing.RecipientInfo, error) {
	return call(ctx, s.w, "Recipients.Create", func() (*sharing.RecipientInfo, string, error) {
		r := sharing.RecipientInfo{
			Name: req.Name, AuthenticationType: req.AuthenticationType, Comment: req.Comment,
			DataRecipientGlobalMetastoreId: req.DataRecipientGlobalMetastoreId,
			ExpirationTime:                 req.ExpirationTime, Owner: req.Owner,
			IpAccessList: clone(req.IpAccessList), PropertiesKvpairs: clone(req.PropertiesKvpairs),
		}
		if err := s.w.checkRecipient(r); err != nil {
			return nil, "", err
		}
		s.w.completeRecipient(&r)
		s.w.recipients[r.Name] = r
		out := clone(r)
		return &out, r.Name, nil
	})
}

// Delete deletes a recipient. Its grants go with it: a share's permission
// list then shows them with an empty principal, and its provider
// disappears from the recipient's metastore. It returns a 404
// RESOURCE_DOES_NOT_EXIST error when the recipient does not exist and a 403
// PERMISSION_DENIED error when the caller does not own it.
func (s *Recipients) Delete(ctx context.Context, req sharing.DeleteRecipientRequest) error {
	_, err := call(ctx, s.w, "Recipients.Delete", func() (struct{}, string, error) {
		w := s.w
		r, ok := w.recipients[req.Name]
		if !ok {
			return struct{}{}, "", NotFound("Recipient '%s' does not exist.", req.Name)
		}
		// why: "The caller must be the owner of the recipient" (SDK doc of
		// RecipientsService.Delete; DROP RECIPIENT lists no other condition).
		if r.Owner != w.cfg.user {
			return struct{}{}, "", PermissionDenied("User is not the owner of Recipient '%s'.", req.Name)
		}
		// why: grants do not block the delete and go with the recipient,
		// but "for deleted principals, `principal` is empty" in permission
		// lists (docs.databricks.com/api/sharing/v1/update-share-permissions;
		// SDK doc of PrivilegeAssignment): the fake keeps them that way.
		for _, sh := range w.shares {
			if g, ok := sh.grants[req.Name]; ok {
				delete(sh.grants, req.Name)
				sh.grants[deletedPrincipal(r.Id)] = g
			}
		}
		delete(w.recipients, req.Name)
		return struct{}{}, req.Name, nil
	})
	return err
}

// SharePermissions returns one page of the shares granted to a recipient,
// sorted by share name, each with the recipient's privileges on it. Pages
// work as those of [Shares.SharePermissions]. It returns a 404
// RESOURCE_DOES_NOT_EXIST error when the recipient does not exist and a 403
// PERMISSION_DENIED error when the caller neither owns it, nor holds
// USE_RECIPIENT, nor is a metastore admin.
func (s *Recipients) SharePermissions(ctx context.Context, req sharing.SharePermissionsRequest) (*sharing.GetRecipientSharePermissionsResponse, error) {
	return call(ctx, s.w, "Recipients.SharePermissions", func() (*sharing.GetRecipientSharePermissionsResponse, string, error) {
		w := s.w
		r, ok := w.recipients[req.Name]
		if !ok {
			return nil, "", NotFound("Recipient '%s' does not exist.", req.Name)
		}
		// why: "The caller must have the USE_RECIPIENT privilege on the
		// metastore or be the owner of the Recipient" (SDK doc of
		// RecipientsService.SharePermissions); metastore admins pass as for
		// Get (assumption: they are not named).
		if !w.cfg.admin && !w.cfg.privileges["USE_RECIPIENT"] && r.Owner != w.cfg.user {
			return nil, "", PermissionDenied("User does not have USE_RECIPIENT on Metastore and is not the owner of Recipient '%s'.", req.Name)
		}
		if req.MaxResults < 0 {
			return nil, "", InvalidParameter("max_results must not be negative")
		}
		size := w.cfg.pageSize
		if req.MaxResults > 0 && req.MaxResults < size {
			size = req.MaxResults
		}
		var keys []string
		var all []sharing.ShareToPrivilegeAssignment
		for _, n := range slices.Sorted(maps.Keys(w.shares)) {
			g := w.shares[n].grants[req.Name]
			if len(g) == 0 {
				continue
			}
			keys = append(keys, n)
			all = append(all, sharing.ShareToPrivilegeAssignment{ShareName: n, PrivilegeAssignments: []sharing.PrivilegeAssignment{
				{Principal: req.Name, Privileges: slices.Sorted(maps.Keys(g))},
			}})
		}
		start, end, next, err := pageOf(keys, size, req.PageToken)
		if err != nil {
			return nil, "", err
		}
		return &sharing.GetRecipientSharePermissionsResponse{PermissionsOut: all[start:end], NextPageToken: next}, "", nil
	})
}
