"""The package design.yaml names: its tools and function steps exist, so the spec validates."""
