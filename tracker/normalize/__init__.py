"""Pure normalization: no Scrapy, no SQLAlchemy imports in this package."""
