"""Reading and writing a person's files: LabelMe annotations and their shapes, images, atomic saves, palettes."""
