package xregion

// MarkKey starts the line of a comment that marks an object as made by
// xregion: "xregion-owner: main.ml.fraud, main.ml.churn". The names after
// it are the models (their three-part names in the source workspace) the
// object is kept for; a marked object with no names (a recipient, which
// serves every model of a metastore) is xregion's but no model's.
//
// Shares, the objects in a share, recipients and catalogs carry the mark in
// their comment; serving endpoints carry it as a tag of the same key.
// Teardown removes a model's name from the mark and removes the object only
// when no name is left, so objects two models share outlive the first
// model's teardown. Comments without the line are unmarked: xregion did not
// make the object, or made it before marks existed.
const MarkKey = "xregion-owner"
