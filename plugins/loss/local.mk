# plugins/loss: one stanza per plugin (see plugins/local.mk)
plugin_LTLIBRARIES += plugins/loss/bce.la
plugins_loss_bce_la_SOURCES = plugins/loss/bce.c
plugins_loss_bce_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_loss_bce_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_loss_bce_la_LIBADD = $(GL_PLUGIN_LIBS) -lm

plugin_LTLIBRARIES += plugins/loss/wgan_gp.la
plugins_loss_wgan_gp_la_SOURCES = plugins/loss/wgan_gp.c
plugins_loss_wgan_gp_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_loss_wgan_gp_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_loss_wgan_gp_la_LIBADD = $(GL_PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/loss/hinge.la
plugins_loss_hinge_la_SOURCES = plugins/loss/hinge.c
plugins_loss_hinge_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_loss_hinge_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_loss_hinge_la_LIBADD = $(GL_PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/loss/lsgan.la
plugins_loss_lsgan_la_SOURCES = plugins/loss/lsgan.c
plugins_loss_lsgan_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_loss_lsgan_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_loss_lsgan_la_LIBADD = $(GL_PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/loss/rpgan.la
plugins_loss_rpgan_la_SOURCES = plugins/loss/rpgan.c
plugins_loss_rpgan_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_loss_rpgan_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_loss_rpgan_la_LIBADD = $(GL_PLUGIN_LIBS)
