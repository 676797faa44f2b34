#version 330 core
// Desktop OpenGL 3.3 core: prepended to every heatmap shader when the GL
// context is not OpenGL ES.
