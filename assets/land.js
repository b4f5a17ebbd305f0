// land pages (being built)
