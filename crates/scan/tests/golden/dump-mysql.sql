-- MySQL dump 10.13; comment mentions admin@comment-only.de which is not a value
CREATE TABLE `contacts` (`id` int, `email` varchar(255), `phone` varchar(40), `country` char(2), `company` varchar(80), `note` text);
INSERT INTO `contacts` (`id`,`email`,`phone`,`country`,`company`,`note`) VALUES (1,'anna@adatum.it','06 1234 5678','IT','Adatum S.p.A.','called re \'high risk\'\n'),(2,'jo@litware.es','+34 912 345 678','ES','Litware S.L.',NULL);
INSERT INTO `payments` VALUES (7,'4111111111111111','4111111111111112','DE89370400440532013000','DE88370400440532013000');
