//! Import of third-party cookie lists into the catalog format.
