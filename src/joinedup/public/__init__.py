"""The public portal: report a concern, apply for an ASB Case Review, check its status; and the
lead agency's work on ASB Case Review applications (docs/public-portal.md)."""
