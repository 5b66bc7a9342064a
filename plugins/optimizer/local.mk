# plugins/optimizer: one stanza per plugin (see plugins/local.mk)
