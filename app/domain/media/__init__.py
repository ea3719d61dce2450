"""The media library and PPT/PPTX/ODP → PDF conversions."""
