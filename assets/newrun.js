// newrun pages (being built)
