#version 300 es
// OpenGL ES 3.0: prepended to every heatmap shader when
// gdk_gl_context_get_use_es() says the context is GLES.  R32F textures are
// not filterable in ES 3.0, which is why the matrix is read with texelFetch.
precision highp float;
precision highp int;
precision highp sampler2D;
