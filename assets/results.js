// results pages (being built)
