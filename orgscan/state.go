package orgscan

// StateFile is the file, inside each mirror, that remembers the last scan
// (scanner.Cache: the ref tips it read and what it found).
const StateFile = "channelguard-state.json"
