"""image_gen agent: product images for every requested view, streamed as each one is stored."""
